/**
 * Picks and configures a transport from a broker URL.
 *
 * @module
 */
import { parseBrokerUrl } from "./_broker_url.ts";
import { socketTransport } from "./_sockets.ts";
import type { ProxyTlsSettings } from "./http_proxy.ts";
import type { TlsSettings } from "./tls_options.ts";
import type { Transport } from "./types.ts";
import { websocket } from "./websocket.ts";

/** Options for {@linkcode fromUrl}; each applies to the schemes noted. *
 * @example Options for mqtts through a proxy
 * ```ts
 * import { fromUrl, type FromUrlOptions } from "@tern/transport";
 *
 * const options: FromUrlOptions = { proxy: "http://127.0.0.1:3128", connectTimeoutMs: 10_000 };
 * console.log(typeof fromUrl("mqtts://broker.example.com", options).open); // "function"
 * ```
 */
export interface FromUrlOptions extends TlsSettings {
  /** Milliseconds `open()` waits before a `timeout` error; default 30 000. All schemes. */
  connectTimeoutMs?: number;
  /**
   * `http://[user:password@]host:port` of an HTTP proxy to tunnel through, or `https://…`
   * for TLS to the proxy too. mqtt, mqtts.
   */
  proxy?: string | URL;
  /** TLS to an `https://` proxy: `caCerts` for its certificate, `serverName`. mqtt, mqtts. */
  proxyTls?: ProxyTlsSettings;
  /** WebSocket subprotocols; default `["mqtt"]`. ws, wss. */
  protocols?: string[];
}

/**
 * Makes the transport a broker URL names: `mqtt://` and `tcp://` (TCP, port 1883),
 * `mqtts://` and `tls://` (TLS, port 8883), `ws://` (port 80) and `wss://` (port 443)
 * for MQTT over WebSocket, path kept. Credentials in the URL are ignored here: MQTT user
 * names and passwords travel in the CONNECT packet, not in the transport.
 *
 * TCP and TLS use the sockets of the runtime it runs in: Deno's on Deno, `node:net` and
 * `node:tls` on Node and Bun, `cloudflare:sockets` in Workers (which take no TLS settings
 * and no proxy). Each runtime's adapters are loaded on the first `open()`, by dynamic
 * import. `ws://` and `wss://` use the web `WebSocket` everywhere (on Node 20, which has
 * none, Tern's own RFC 6455 client); it cannot take TLS settings, so they are refused.
 *
 * @example Choose the transport by URL
 * ```ts
 * import { fromUrl } from "@tern/transport";
 *
 * const plain = fromUrl("mqtt://127.0.0.1");
 * const secure = fromUrl("mqtts://broker.example.com", { alpnProtocols: ["mqtt"] });
 * const web = fromUrl("wss://broker.example.com/mqtt");
 * console.log([plain, secure, web].every((transport) => typeof transport.open === "function"));
 * ```
 */
export function fromUrl(url: string | URL, options: FromUrlOptions = {}): Transport {
  const { kind, hostname, port, url: parsed } = parseBrokerUrl(url);
  const { connectTimeoutMs, proxy, proxyTls, protocols, ...settings } = options;
  const unusable = Object.entries(settings).filter(([, value]) => value !== undefined)
    .map(([name]) => name);
  if (kind === "websocket") {
    if (unusable.length > 0 || proxy !== undefined || proxyTls !== undefined) {
      const names = [...unusable, ...(proxy ? ["proxy"] : []), ...(proxyTls ? ["proxyTls"] : [])];
      throw new TypeError(
        `Cannot create a WebSocket transport: the web WebSocket cannot take ${names.join(", ")}`,
      );
    }
    return websocket({ url: parsed, protocols, connectTimeoutMs });
  }
  if (kind === "tcp" && unusable.length > 0) {
    throw new TypeError(
      `Cannot create a TCP transport: ${unusable.join(", ")} need a TLS URL (mqtts://)`,
    );
  }
  const tls = kind === "tls" ? settings : undefined;
  return socketTransport({ hostname, port, tls, proxy, proxyTls, connectTimeoutMs });
}
