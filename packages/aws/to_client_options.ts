/**
 * The one place where builder output meets the real client and transports:
 * {@linkcode IotClientOptions} → `@tern/agent` client options and `@tern/transport` adapters.
 *
 * @module
 */
import type { BrokerLimits } from "@tern/agent";
import { httpProxy, tls, type Transport, websocket, websocketViaProxy } from "@tern/transport";
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
    // The web WebSocket cannot use a CONNECT tunnel; websocketViaProxy speaks RFC 6455 itself,
    // over the Deno tunnel or, elsewhere (and for wss:// inside an https:// proxy's TLS,
    // which Deno cannot layer), the node:tls one.
    if (proxy !== undefined) {
      const viaProxy = (tunnel?: typeof httpProxy) =>
        websocketViaProxy({
          proxy,
          url: websocketUrl,
          protocols: options.websocketProtocols,
          tls: { caCerts, serverName },
          proxyTls: proxyTls(proxy, caCerts),
          tunnel,
        });
      if ("Deno" in globalThis && (url.protocol === "ws:" || !isSecure(proxy))) return viaProxy();
      return lazy(async () => viaProxy((await import("@tern/transport/node")).nodeHttpProxy));
    }
    return websocket({ url: websocketUrl, protocols: options.websocketProtocols });
  }
  if (url.protocol !== "mqtts:") {
    throw new TypeError(
      `Cannot create the AWS IoT transport: URL must start with mqtts:// or wss://, got "${url.protocol}"`,
    );
  }
  const hostname = url.hostname;
  const port = Number(url.port || 8883);
  const settings = { caCerts, cert, key, alpnProtocols, serverName };
  // Deno's own adapters cannot present a client certificate through a proxy tunnel, nor
  // start TLS inside the TLS to an https:// proxy, and do not exist on Node or Bun; the
  // node:tls adapters do all of that. They load only when needed, so bundles that never
  // use them do not pull in node:net.
  const isDeno = "Deno" in globalThis;
  if (proxy !== undefined) {
    if (isDeno && cert === undefined && !isSecure(proxy)) {
      return httpProxy({ proxy, hostname, port, tls: settings });
    }
    return lazy(async () =>
      (await import("@tern/transport/node")).nodeHttpProxy({
        proxy,
        proxyTls: proxyTls(proxy, caCerts),
        hostname,
        port,
        tls: settings,
      })
    );
  }
  if (isDeno) return tls({ hostname, port, ...settings });
  return lazy(async () =>
    (await import("@tern/transport/node")).nodeTls({ hostname, port, ...settings })
  );
}

function lazy(load: () => Promise<Transport>): Transport {
  let transport: Promise<Transport> | undefined;
  return {
    async open(options) {
      transport ??= load();
      return (await transport).open(options);
    },
  };
}

function isSecure(proxy: string): boolean {
  return new URL(proxy).protocol === "https:";
}

/** An https:// proxy is trusted with the same extra CAs as the endpoint. */
function proxyTls(
  proxy: string,
  caCerts: string[] | undefined,
): { caCerts?: string[] } | undefined {
  if (!isSecure(proxy)) return undefined;
  return caCerts ? { caCerts } : {};
}
