/**
 * TCP and TLS in Cloudflare Workers, with `connect()` from `cloudflare:sockets`.
 *
 * @module
 */
import { transportError } from "./_classify.ts";
import { type Connect, loadConnect, type Socket } from "./_cloudflare_sockets.ts";
import { openWithin } from "./_deadline.ts";
import { TransportError } from "./errors.ts";
import { checkConnectTimeout, endpoint } from "./_endpoint.ts";
import type { Connection, OpenOptions, Transport } from "./types.ts";

export type { Connect, Socket, SocketAddress, SocketOptions } from "./_cloudflare_sockets.ts";

/** Options for {@linkcode cloudflare}. *
 * @example Options with an injected connect()
 * ```ts
 * import { cloudflare, type CloudflareOptions } from "@tern/transport/cloudflare";
 *
 * const options: CloudflareOptions = { hostname: "broker.example.com", port: 8883 };
 * console.log(typeof cloudflare(options).open); // "function"
 * ```
 */
export interface CloudflareOptions {
  /** Host name of the server; Workers cannot reach private addresses in production. */
  hostname: string;
  /** TCP port of the server (Workers block port 25). */
  port: number;
  /** TLS from the start (`secureTransport: "on"`), verified against public CAs; default true. */
  tls?: boolean;
  /** Milliseconds `open()` waits, handshake included, before a `timeout` error; default 30 000. */
  connectTimeoutMs?: number;
  /**
   * The `connect` function to use; by default it is imported from `cloudflare:sockets` on
   * first `open()`. Pass it when your bundler needs a static import.
   */
  connect?: Connect;
}

/**
 * A transport for Cloudflare Workers over `connect()` from `cloudflare:sockets`, with TLS
 * on by default. Workers cannot set CA certificates, client certificates or ALPN on a
 * socket; the platform verifies the server against public CAs.
 *
 * @example Connect from a Worker
 * ```ts ignore
 * import { cloudflare } from "@tern/transport/cloudflare";
 *
 * export default {
 *   async fetch(): Promise<Response> {
 *     const connection = await cloudflare({ hostname: "broker.example.com", port: 8883 }).open();
 *     await connection.close();
 *     return new Response("connected");
 *   },
 * };
 * ```
 */
export function cloudflare(options: CloudflareOptions): Transport {
  const peer = endpoint("cloudflare", options.hostname, options.port);
  checkConnectTimeout("cloudflare", options.connectTimeoutMs);
  const { hostname, port, tls = true } = options;
  return {
    async open(openOptions: OpenOptions = {}): Promise<Connection> {
      const action = `connect to ${peer}${tls ? " over TLS" : ""}`;
      const connect = options.connect ?? await loadConnect();
      return openWithin(
        { signal: openOptions.signal, timeoutMs: options.connectTimeoutMs, action },
        async (signal) => {
          const socket = connect({ hostname, port }, {
            secureTransport: tls ? "on" : "off",
            allowHalfOpen: false,
          });
          // The closed promise rejects when the connection fails; it is observed here so
          // that such a failure is never reported as unhandled.
          socket.closed.catch(() => {});
          const abandon = () => socket.close().catch(() => {});
          signal.addEventListener("abort", abandon, { once: true });
          try {
            await socket.opened;
            return socketConnection(socket, peer);
          } catch (error) {
            abandon();
            throw openError(action, error, tls);
          } finally {
            signal.removeEventListener("abort", abandon);
          }
        },
        (connection) => connection.close(),
      );
    },
  };
}

/**
 * Workers answer every failed `connect()` with the same message, whether the port was
 * closed or, with TLS, the certificate was not trusted; only without TLS does it surely
 * mean the connection was refused (or blocked).
 */
function openError(action: string, error: unknown, tls: boolean): TransportError {
  const message = error instanceof Error ? error.message : String(error);
  if (!/cannot connect to the specified address/i.test(message)) {
    return transportError(action, error);
  }
  return tls
    ? new TransportError(
      `Cannot ${action}: the connection was refused or the TLS handshake failed; ` +
        `Workers do not say which (${message})`,
      { code: "network", cause: error },
    )
    : new TransportError(`Cannot ${action}: connection refused (${message})`, {
      code: "refused",
      cause: error,
    });
}

function socketConnection(socket: Socket, peer: string): Connection {
  const reader = socket.readable.getReader();
  const writer = socket.writable.getWriter();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await reader.cancel().catch(() => {});
    await socket.close().catch(() => {});
  };
  return {
    readable: new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          if (closed) controller.close();
          else throw transportError(`read from ${peer}`, error);
        }
      },
      cancel: close,
    }),
    async write(bytes) {
      try {
        await writer.write(bytes);
      } catch (error) {
        throw transportError(`write to ${peer}`, error);
      }
    },
    close,
  };
}
