/**
 * The one place where builder output meets the real client and transports:
 * {@linkcode IotClientOptions} → `@tern/agent` client options and `@tern/transport` adapters.
 *
 * @module
 */
import type { BrokerLimits } from "@tern/agent";
import { fromUrl, type Transport, websocket, websocketViaProxy } from "@tern/transport";
import type { IotClientOptions } from "./client_options.ts";
import { defined } from "./_common.ts";

/**
 * The `MqttClient` options made from {@linkcode IotClientOptions}; spread them into the
 * options of `new MqttClient(...)`.
 */
export interface IotMqttClientOptions {
  /** The transport from {@linkcode iotTransport}. */
  transport: Transport;
  /** CONNECT client identifier. */
  clientId: string;
  /** CONNECT username. */
  username?: string;
  /** CONNECT password. */
  password?: Uint8Array;
  /** The broker limits the client enforces before sending. */
  limits?: BrokerLimits;
  /**
   * Present when the builder prepares each attempt (SigV4): the client calls it before
   * every connection attempt, reconnects included, and uses the transport and CONNECT
   * fields it returns for that attempt.
   */
  connectOptionsProvider?: IotAttemptProvider;
  /** The precompiled codec module, when the builder was given one. */
  wasmModule?: WebAssembly.Module;
}

/** What `MqttClient` calls before each attempt: a fresh transport and CONNECT fields. */
export type IotAttemptProvider = (
  attempt: { signal?: AbortSignal },
) => Promise<{ transport: Transport; username?: string; password?: Uint8Array }>;

/**
 * `MqttClient` options for builder output: the transport from {@linkcode iotTransport},
 * the CONNECT client id, username and password, the broker limits, and, for SigV4, a
 * `connectOptionsProvider` that presigns a new URL with fresh credentials before every
 * attempt (aborted when the client stops). Spread it and add any other client option.
 *
 * @example Connect to AWS IoT Core with mutual TLS
 * ```ts ignore
 * import { MqttClient } from "@tern/agent";
 * import { mtlsOptionsFromFiles, toMqttClientOptions } from "@tern/aws";
 *
 * const iot = await mtlsOptionsFromFiles({
 *   endpoint: "abc123-ats.iot.us-east-1.amazonaws.com",
 *   clientId: "device-1",
 *   certFile: "device.pem.crt",
 *   keyFile: "private.pem.key",
 * });
 * const client = new MqttClient({ ...toMqttClientOptions(iot), keepAlive: 1200 });
 * await client.start();
 * await client.publish("devices/device-1/hello", "hi", { qos: 1 });
 * await client.stop();
 * ```
 */
export function toMqttClientOptions(options: IotClientOptions): IotMqttClientOptions {
  const provider = options.connectOptionsProvider;
  return defined({
    transport: iotTransport(options),
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    limits: options.limits,
    wasmModule: options.wasmModule,
    connectOptionsProvider: provider && (async ({ signal }: { signal?: AbortSignal }) => {
      const overrides = await provider({ signal });
      return defined({
        transport: iotTransport({
          ...options,
          url: overrides.url ?? options.url,
          connectOptionsProvider: undefined,
        }),
        username: overrides.username,
        password: overrides.password,
      });
    }),
  });
}

/**
 * The transport that {@linkcode IotClientOptions} describe: TLS (with the certificate,
 * ALPN list and server name) for `mqtts://`, WebSocket with the `mqtt` subprotocol for
 * `wss://` (asking `connectOptionsProvider` for a freshly signed URL on every open), and an
 * HTTP CONNECT tunnel when `proxy` is set (for WebSocket too, with `websocketViaProxy`).
 *
 * @example The transport for AWS IoT on 443 with ALPN
 * ```ts
 * import { iotTransport, mtlsOptions } from "@tern/aws";
 *
 * const transport = iotTransport(mtlsOptions({
 *   endpoint: "abc123-ats.iot.us-east-1.amazonaws.com",
 *   clientId: "device-1",
 *   cert: "-----BEGIN CERTIFICATE-----\n…",
 *   key: "-----BEGIN PRIVATE KEY-----\n…",
 *   port: 443,
 * }));
 * console.log(typeof transport.open); // "function"
 * ```
 */
export function iotTransport(options: IotClientOptions): Transport {
  const url = new URL(options.url);
  const { caCerts, cert, key, alpnProtocols, serverName, proxy, connectOptionsProvider } = options;
  if (url.protocol === "wss:" || url.protocol === "ws:") {
    const websocketUrl = connectOptionsProvider
      ? async () => (await connectOptionsProvider({})).url ?? options.url
      : options.url;
    // The web WebSocket cannot use a CONNECT tunnel; websocketViaProxy speaks RFC 6455
    // itself, over the runtime's own tunnel.
    if (proxy !== undefined) {
      return websocketViaProxy({
        proxy,
        proxyTls: proxyTls(proxy, caCerts),
        url: websocketUrl,
        protocols: options.websocketProtocols,
        tls: { caCerts, serverName },
      });
    }
    return websocket({ url: websocketUrl, protocols: options.websocketProtocols });
  }
  if (url.protocol !== "mqtts:") {
    throw new TypeError(
      `Cannot create the AWS IoT transport: URL must start with mqtts:// or wss://, got "${url.protocol}"`,
    );
  }
  // fromUrl picks the runtime's TLS sockets (and the one that can present a client
  // certificate through a proxy).
  return fromUrl(url, {
    caCerts,
    cert,
    key,
    alpnProtocols,
    serverName,
    proxy,
    proxyTls: proxy === undefined ? undefined : proxyTls(proxy, caCerts),
  });
}

/** An https:// proxy is trusted with the same extra CAs as the endpoint. */
function proxyTls(
  proxy: string,
  caCerts: string[] | undefined,
): { caCerts?: string[] } | undefined {
  if (new URL(proxy).protocol !== "https:") return undefined;
  return caCerts ? { caCerts } : {};
}
