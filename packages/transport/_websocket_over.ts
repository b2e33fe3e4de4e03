import { openWithin } from "./_deadline.ts";
import { upgradeWebSocket } from "./_websocket_client.ts";
import type { Connection, OpenOptions, Transport } from "./types.ts";

/** Options for {@linkcode websocketOver}. */
export interface WebSocketOverOptions {
  /** A `ws://` or `wss://` URL, already checked, made fresh for each `open()`. */
  url: () => Promise<URL>;
  protocols: string[];
  connectTimeoutMs: number | undefined;
  maxFrameBytes: number;
  /** Makes the byte transport to the server's host and port, with TLS for `wss://`. */
  tunnel: (target: { hostname: string; port: number; secure: boolean }) => Transport;
  /** Ends "Cannot open WebSocket <origin>" in messages, e.g. " through proxy". */
  via: string;
}

/**
 * MQTT over WebSocket spoken by Tern's own RFC 6455 client over a byte transport: through a
 * proxy tunnel (the web `WebSocket` cannot use one), or over plain sockets where the
 * runtime has no `WebSocket` (Node 20).
 */
export function websocketOver(options: WebSocketOverOptions): Transport {
  const { protocols, connectTimeoutMs, maxFrameBytes } = options;
  return {
    async open(openOptions: OpenOptions = {}): Promise<Connection> {
      const url = await options.url();
      const secure = url.protocol === "wss:";
      const tunnel = options.tunnel({
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: Number(url.port || (secure ? 443 : 80)),
        secure,
      });
      const action = `open WebSocket ${url.origin}${options.via}`;
      return openWithin(
        { signal: openOptions.signal, timeoutMs: connectTimeoutMs, action },
        async (signal) => {
          const conn = await tunnel.open({ signal });
          // The upgrade waits on the peer; closing the tunnel is what interrupts it.
          const abandon = () => void conn.close().catch(() => {});
          signal.addEventListener("abort", abandon, { once: true });
          try {
            return await upgradeWebSocket(conn, { url, protocols, maxFrameBytes, action });
          } catch (error) {
            await conn.close();
            throw error;
          } finally {
            signal.removeEventListener("abort", abandon);
          }
        },
        (connection) => connection.close(),
      );
    },
  };
}
