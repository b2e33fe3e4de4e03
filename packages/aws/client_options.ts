/**
 * What the AWS IoT builders produce: a transport-neutral description of one MQTT client
 * configuration. `toMqttClientOptions` turns it into `@tern/agent` client options.
 *
 * @module
 */
import type { BrokerLimits } from "@tern/agent";
import type { SdkMetrics } from "./sdk_metrics.ts";

/** Per-attempt overrides, computed just before each connection attempt. */
export interface IotConnectOverrides {
  /** Replaces `url` for this attempt (a freshly presigned WebSocket URL). */
  url?: string;
  /** Replaces `username` for this attempt. */
  username?: string;
  /** Replaces `password` for this attempt. */
  password?: Uint8Array;
}

/**
 * Called before every connection attempt, reconnects included; its result overrides the
 * static options for that attempt. The SigV4 builder re-signs its URL here.
 */
export type IotConnectOptionsProvider = (
  context: { signal?: AbortSignal },
) => Promise<IotConnectOverrides>;

/**
 * Everything needed to reach AWS IoT Core with one authentication method.
 *
 * @example The shape a mutual-TLS builder returns
 * ```ts
 * import type { IotClientOptions } from "@tern/aws";
 *
 * const options: IotClientOptions = {
 *   url: "mqtts://abc123-ats.iot.us-east-1.amazonaws.com:443",
 *   clientId: "device-1",
 *   serverName: "abc123-ats.iot.us-east-1.amazonaws.com",
 *   alpnProtocols: ["x-amzn-mqtt-ca"],
 * };
 * console.log(new URL(options.url).port); // "443"
 * ```
 */
export interface IotClientOptions {
  /** `mqtts://<endpoint>:<port>` for MQTT over TLS, `wss://<endpoint>/mqtt[?…]` for WebSocket. */
  url: string;
  /** The MQTT client identifier. */
  clientId: string;
  /** CONNECT username: custom-authorizer parameters and/or SDK metrics, when used. */
  username?: string;
  /** CONNECT password (custom authorizers receive it base64-encoded). */
  password?: Uint8Array;
  /** PEM CA certificates trusted in addition to the runtime's roots. */
  caCerts?: string[];
  /** PEM client certificate for mutual TLS. */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
  /** ALPN protocols to offer: `x-amzn-mqtt-ca` (mTLS on 443) or `mqtt` (custom auth on 443). */
  alpnProtocols?: string[];
  /** TLS server name (SNI), always the endpoint: IoT Core requires SNI. */
  serverName?: string;
  /** WebSocket subprotocols, for `wss://` URLs. */
  websocketProtocols?: string[];
  /**
   * HTTP proxy URL (`http://[user:password@]host:port`, or `https://…` for TLS to the proxy,
   * which is then checked against `caCerts` too) to tunnel through with CONNECT.
   */
  proxy?: string;
  /** Broker limits to enforce before sending; `iotCoreLimits` unless turned off. */
  limits?: BrokerLimits;
  /** Called before every connection attempt; see {@linkcode IotConnectOptionsProvider}. */
  connectOptionsProvider?: IotConnectOptionsProvider;
  /**
   * The codec's WebAssembly module, precompiled, for runtimes that forbid compiling it from
   * bytes (Cloudflare Workers import `@tern/codec`'s `codec.wasm`); passed to the client.
   */
  wasmModule?: WebAssembly.Module;
}

/** Options every AWS IoT builder accepts. */
export interface IotCommonOptions {
  /** The IoT data endpoint, e.g. `abc123-ats.iot.us-east-1.amazonaws.com` (no scheme). */
  endpoint: string;
  /** The MQTT client identifier (≤ 128 bytes with the IoT Core limits on). */
  clientId: string;
  /** PEM CA certificates to trust in addition to the runtime's roots (Amazon Root CA 1 is one). */
  caCerts?: string[];
  /** HTTP proxy URL, `http://[user:password@]host:port` or `https://…`. */
  proxy?: string;
  /**
   * Report SDK metrics in the username (only to `*.amazonaws.com` endpoints); `true` for
   * the defaults. Off by default.
   */
  metrics?: boolean | SdkMetrics;
  /** Broker limits; default `iotCoreLimits`, `false` to enforce none. */
  limits?: BrokerLimits | false;
  /**
   * The codec's WebAssembly module, precompiled, for runtimes that forbid compiling it from
   * bytes (Cloudflare Workers import `@tern/codec`'s `codec.wasm`); passed to the client.
   */
  wasmModule?: WebAssembly.Module;
}
