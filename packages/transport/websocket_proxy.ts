/**
 * MQTT over WebSocket through an HTTP proxy's CONNECT tunnel, over the runtime's sockets: the
 * web `WebSocket` API cannot use a tunnel, so this speaks RFC 6455 itself.
 *
 * @module
 */
import { checkConnectTimeout } from "./_endpoint.ts";
import { parseProxyUrl } from "./_proxy_handshake.ts";
import { socketTransport } from "./_sockets.ts";
import { websocketOver } from "./_websocket_over.ts";
import type { HttpProxyOptions, ProxyTlsSettings } from "./http_proxy.ts";
import type { TlsSettings } from "./tls_options.ts";
import type { Connection, OpenOptions, Transport } from "./types.ts";
import type { WebSocketUrl } from "./websocket.ts";

/** Options for {@linkcode websocketViaProxy}. *
 * @example Options for a signed `wss://` URL through an authenticating proxy
 * ```ts
 * import type { WebSocketViaProxyOptions } from "@tern/transport/websocket-proxy";
 *
 * const options: WebSocketViaProxyOptions = {
 *   proxy: "http://alice:secret@127.0.0.1:3128",
 *   url: () => `wss://broker.example.com/mqtt?t=${Date.now()}`,
 * };
 * console.log(typeof options.url); // "function"
 * ```
 */
export interface WebSocketViaProxyOptions {
  /**
   * The proxy, `http://[user:password@]host:port`, or `https://…` for TLS to the proxy
   * itself; credentials are sent as basic auth.
   */
  proxy: string | URL;
  /** TLS to an `https://` proxy: extra CAs and the name its certificate must carry. */
  proxyTls?: ProxyTlsSettings;
  /** `ws://` or `wss://` URL of the server, or a function called on every `open()`. */
  url: WebSocketUrl;
  /** Subprotocols to request; default `["mqtt"]`, as MQTT over WebSocket requires. */
  protocols?: string[];
  /** TLS settings for `wss://` (CA certificates, server name); no client certificates. */
  tls?: Omit<TlsSettings, "cert" | "key">;
  /** Milliseconds `open()` waits, tunnel, TLS and upgrade included; default 30 000. */
  connectTimeoutMs?: number;
  /** A frame from the server with a longer payload fails the connection; default 64 MiB. */
  maxFrameBytes?: number;
  /**
   * Makes the transport that opens the tunnel (and TLS inside it for `wss://`): by default
   * the runtime's own (`httpProxy` on Deno, `nodeHttpProxy` on Node and Bun).
   */
  tunnel?: (options: HttpProxyOptions) => { open(options?: OpenOptions): Promise<Connection> };
}

const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * A transport over WebSocket (`ws://`, `wss://`) through an HTTP proxy: `CONNECT host:port`,
 * TLS over the tunnel for `wss://`, then the upgrade with the `mqtt` subprotocol and binary
 * frames. Needs `--allow-net` in Deno. The tunnel is the runtime's (`httpProxy` on Deno,
 * `nodeHttpProxy` on Node and Bun) unless `tunnel` says otherwise.
 *
 * The `url` may be a function, called on every `open()`, for URLs that expire (AWS SigV4).
 * A 407 from the proxy rejects with `proxy-auth-required`; a server that answers the upgrade
 * with anything but 101 rejects with `websocket-upgrade` and the `status`.
 *
 * @example Connect to a broker's WebSocket listener through a proxy
 * ```ts ignore
 * import { websocketViaProxy } from "@tern/transport/websocket-proxy";
 *
 * const transport = websocketViaProxy({
 *   proxy: "http://alice:secret@proxy.internal:3128",
 *   url: "wss://broker.example.com/mqtt",
 * });
 * const connection = await transport.open();
 * await connection.close();
 * ```
 */
export function websocketViaProxy(options: WebSocketViaProxyOptions): Transport {
  const {
    protocols = ["mqtt"],
    connectTimeoutMs,
    maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
    tunnel: makeTunnel = runtimeTunnel,
  } = options;
  parseProxyUrl(options.proxy);
  checkConnectTimeout("websocket proxy", connectTimeoutMs);
  if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < 1) {
    throw new RangeError(
      `Cannot create websocket proxy transport: maxFrameBytes must be a positive integer, got ${maxFrameBytes}`,
    );
  }
  if (typeof options.url === "string" || options.url instanceof URL) checkUrl(options.url);
  return websocketOver({
    url: async () =>
      checkUrl(typeof options.url === "function" ? await options.url() : options.url),
    protocols,
    connectTimeoutMs,
    maxFrameBytes,
    tunnel: ({ hostname, port, secure }) =>
      makeTunnel({
        proxy: options.proxy,
        proxyTls: options.proxyTls,
        hostname,
        port,
        tls: secure ? options.tls ?? true : false,
        connectTimeoutMs,
      }),
    via: " through proxy",
  });
}

/** The tunnel of this runtime's sockets: Deno's, `node:net`'s, or (Workers) none. */
function runtimeTunnel(options: HttpProxyOptions): Transport {
  const { proxy, proxyTls, hostname, port, connectTimeoutMs } = options;
  const tls = options.tls === true ? {} : options.tls || undefined;
  return socketTransport({ proxy, proxyTls, hostname, port, tls, connectTimeoutMs });
}

function checkUrl(url: string | URL): URL {
  const parsed = new URL(url);
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new TypeError(
      `Cannot create websocket proxy transport: URL must start with ws:// or wss://, got "${parsed.protocol}"`,
    );
  }
  return parsed;
}
