/**
 * Presigned (query-string) AWS Signature Version 4 URLs.
 *
 * @module
 */
import type { AwsCredentials } from "./credentials.ts";
import { presignSteps } from "./_sigv4.ts";

/** Options for {@linkcode presignUrl}. */
export interface PresignUrlOptions {
  /** The URL to sign; its own query parameters are signed too. */
  url: string | URL;
  /** HTTP method; defaults to `GET`. */
  method?: string;
  /** AWS region, e.g. `us-east-1`. */
  region: string;
  /** Signing name of the service, e.g. `iotdevicegateway`. */
  service: string;
  /** The credentials to sign with. */
  credentials: AwsCredentials;
  /** The signing time. */
  date: Date;
  /** Adds `X-Amz-Expires`: seconds the URL stays valid (1 to 604800). */
  expiresIn?: number;
  /**
   * Whether `X-Amz-Security-Token` is part of the signed query (standard SigV4, the
   * default) or appended after signing (what AWS IoT's WebSocket gateway expects).
   */
  signSessionToken?: boolean;
}

/**
 * Signs a URL with AWS Signature Version 4 in the query string, using WebCrypto only.
 * The result carries the canonical query (parameters sorted), then `X-Amz-Signature`,
 * then, if `signSessionToken` is false, `X-Amz-Security-Token`. Path segments are
 * URI-encoded once.
 *
 * @example Sign the official "get-vanilla" test request
 * ```ts
 * import { presignUrl } from "@tern/aws";
 *
 * const url = await presignUrl({
 *   url: "https://example.amazonaws.com/",
 *   region: "us-east-1",
 *   service: "service",
 *   credentials: {
 *     accessKeyId: "AKIDEXAMPLE",
 *     secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
 *   },
 *   date: new Date("2015-08-30T12:36:00Z"),
 *   expiresIn: 3600,
 * });
 * console.log(new URL(url).searchParams.get("X-Amz-Signature"));
 * // "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"
 * ```
 */
export async function presignUrl(options: PresignUrlOptions): Promise<string> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (error) {
    throw new TypeError(`Cannot presign: invalid URL "${options.url}"`, { cause: error });
  }
  for (const key of ["region", "service"] as const) {
    if (typeof options[key] !== "string" || options[key] === "") {
      throw new TypeError(`Cannot presign: ${key} must be a non-empty string`);
    }
  }
  const { credentials } = options;
  if (!credentials?.accessKeyId || !credentials.secretAccessKey) {
    throw new TypeError("Cannot presign: credentials need an accessKeyId and a secretAccessKey");
  }
  const { expiresIn } = options;
  if (
    expiresIn !== undefined &&
    !(Number.isInteger(expiresIn) && expiresIn >= 1 && expiresIn <= 604800)
  ) {
    throw new RangeError(
      `Cannot presign: expiresIn must be an integer from 1 to 604800 seconds, got ${expiresIn}`,
    );
  }
  const steps = await presignSteps({
    url,
    method: options.method ?? "GET",
    region: options.region,
    service: options.service,
    credentials,
    date: options.date,
    expiresIn,
    signSessionToken: options.signSessionToken ?? true,
  });
  return steps.url;
}
