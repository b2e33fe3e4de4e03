/**
 * MQTT over WebSocket with a SigV4-presigned URL, re-signed before every connection
 * attempt.
 *
 * @module
 */
import type { IotClientOptions, IotCommonOptions } from "./client_options.ts";
import type { CredentialsProvider } from "./credentials.ts";
import { defaultCredentials } from "./credentials_chain.ts";
import { presignIotWebSocketUrl, regionOfEndpoint } from "./iot_websocket_url.ts";
import { common, defined } from "./_common.ts";

/** Options for {@linkcode websocketSigV4Options}. */
export interface WebSocketSigV4Options extends IotCommonOptions {
  /** AWS region; taken from the endpoint when it has the usual `.iot.<region>.` form. */
  region?: string;
  /**
   * Supplies credentials for each attempt; default {@linkcode defaultCredentials} (the AWS
   * SDKs' chain, cached until shortly before expiry).
   */
  credentials?: CredentialsProvider;
  /** The signing clock; default `() => new Date()`. */
  now?: () => Date;
}

/**
 * Client options for MQTT over WebSocket authenticated with SigV4 (IAM credentials).
 * `url` is the unsigned `wss://<endpoint>/mqtt`; `connectOptionsProvider` fetches
 * credentials and presigns a fresh URL before every attempt, since a URL is only valid
 * briefly and temporary credentials expire.
 *
 * @example Sign with credentials from the environment
 * ```ts
 * import { websocketSigV4Options } from "@tern/aws";
 *
 * const options = websocketSigV4Options({
 *   endpoint: "abc123-ats.iot.us-east-1.amazonaws.com",
 *   clientId: "device-1",
 *   credentials: () =>
 *     Promise.resolve({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }),
 * });
 * const { url } = await options.connectOptionsProvider!({});
 * console.log(url?.includes("X-Amz-Signature="));
 * ```
 */
export function websocketSigV4Options(options: WebSocketSigV4Options): IotClientOptions {
  const action = "build SigV4 WebSocket options";
  const { host, base, username } = common(options, action);
  const region = options.region ?? regionOfEndpoint(host);
  if (!region) {
    throw new TypeError(
      `Cannot ${action}: region is required, as endpoint "${host}" does not name one`,
    );
  }
  const credentials = options.credentials ?? defaultCredentials();
  const now = options.now ?? (() => new Date());
  return defined({
    url: `wss://${host}/mqtt`,
    ...base,
    username: username(undefined),
    websocketProtocols: ["mqtt"],
    connectOptionsProvider: async ({ signal }: { signal?: AbortSignal }) => {
      const current = await credentials({ signal });
      signal?.throwIfAborted();
      return {
        url: await presignIotWebSocketUrl({
          endpoint: host,
          region,
          credentials: current,
          date: now(),
        }),
      };
    },
  });
}
