import type { ProxyTlsSettings } from "./http_proxy.ts";
import type { TlsSettings } from "./tls_options.ts";
import type { Transport } from "./types.ts";

/**
 * A socket connection to a broker, described without naming the runtime's API: what
 * `_sockets.ts` is asked for, and what each runtime's `_sockets_*.ts` makes a transport of.
 */
export interface SocketPlan {
  hostname: string;
  port: number;
  /** TLS to the broker; `undefined` for plain TCP. */
  tls?: TlsSettings;
  /** An HTTP proxy to tunnel through: `http://…`, or `https://…` for TLS to the proxy too. */
  proxy?: string | URL;
  /** TLS to an `https://` proxy. */
  proxyTls?: ProxyTlsSettings;
  connectTimeoutMs?: number;
}

/** A `ws://` or `wss://` connection for a runtime without a global `WebSocket`. */
export interface WebSocketPlan {
  /** The URL, checked, made fresh for each `open()`. */
  url: () => Promise<URL>;
  protocols: string[];
  connectTimeoutMs: number | undefined;
  /** A frame with a longer payload fails the connection. */
  maxFrameBytes: number;
}

/** What each runtime's `_sockets_*.ts` module exports. */
export interface RuntimeSockets {
  /** A transport for the plan, with the runtime's sockets. */
  sockets(plan: SocketPlan): Transport;
  /** Tern's RFC 6455 client over the runtime's sockets, where it has no `WebSocket`. */
  websocket?(plan: WebSocketPlan): Transport;
}
