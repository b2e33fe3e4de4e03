/**
 * The presigned `wss://<endpoint>/mqtt` URL of AWS IoT Core's WebSocket gateway.
 *
 * @module
 */
import type { AwsCredentials } from "./credentials.ts";
import { presignUrl } from "./presign_url.ts";
import { endpointHost } from "./_endpoint.ts";

/** Options for {@linkcode presignIotWebSocketUrl}. */
export interface IotWebSocketUrlOptions {
  /** The IoT data endpoint host, e.g. `abc123-ats.iot.us-east-1.amazonaws.com`. */
  endpoint: string;
  /** AWS region; taken from the endpoint when it has the usual `.iot.<region>.` form. */
  region?: string;
  /** Port; defaults to 443 (which is left out of the URL and the signed host). */
  port?: number;
  /** The credentials to sign with. */
  credentials: AwsCredentials;
  /** The signing time; the server accepts the URL for a few minutes around it. */
  date: Date;
}

const ENDPOINT_REGION = /\.iot\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * The region of an AWS IoT data endpoint, or `undefined` if the host does not say.
 *
 * @example
 * ```ts
 * import { regionOfEndpoint } from "@tern/aws";
 *
 * console.log(regionOfEndpoint("abc123-ats.iot.eu-west-1.amazonaws.com")); // "eu-west-1"
 * ```
 */
export function regionOfEndpoint(endpoint: string): string | undefined {
  return ENDPOINT_REGION.exec(endpoint.toLowerCase())?.[1];
}

/**
 * Presigns the MQTT-over-WebSocket URL for AWS IoT Core with SigV4: service
 * `iotdevicegateway`, path `/mqtt`, no `X-Amz-Expires`, and the session token appended
 * after the signature rather than signed (IoT's deviation from standard SigV4).
 *
 * @example Sign a URL with temporary credentials
 * ```ts
 * import { presignIotWebSocketUrl } from "@tern/aws";
 *
 * const url = await presignIotWebSocketUrl({
 *   endpoint: "abc123-ats.iot.us-east-1.amazonaws.com",
 *   credentials: {
 *     accessKeyId: "AKIDEXAMPLE",
 *     secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
 *     sessionToken: "token",
 *   },
 *   date: new Date("2026-01-01T00:00:00Z"),
 * });
 * console.log(url.startsWith("wss://abc123-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm="));
 * ```
 */
export async function presignIotWebSocketUrl(options: IotWebSocketUrlOptions): Promise<string> {
  const host = endpointHost(options.endpoint, "presign");
  const region = options.region ?? regionOfEndpoint(host);
  if (!region) {
    throw new TypeError(
      `Cannot presign: region is required, as endpoint "${host}" does not name one`,
    );
  }
  const port = options.port ?? 443;
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new RangeError(`Cannot presign: port must be 1 to 65535, got ${port}`);
  }
  return await presignUrl({
    url: `wss://${host}${port === 443 ? "" : `:${port}`}/mqtt`,
    region,
    service: "iotdevicegateway",
    credentials: options.credentials,
    date: options.date,
    signSessionToken: false,
  });
}
