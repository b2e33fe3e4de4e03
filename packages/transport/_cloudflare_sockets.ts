/**
 * The part of the `cloudflare:sockets` module this package uses, declared here so the
 * package type-checks (and loads) outside Workers.
 */

/** An address for `connect()`. */
export interface SocketAddress {
  /** Host name or IP address. */
  hostname: string;
  /** TCP port. */
  port: number;
}

/** Options for `connect()`. */
export interface SocketOptions {
  /** `"on"` for TLS from the start, `"starttls"` to upgrade later, `"off"` for plain TCP. */
  secureTransport?: "off" | "on" | "starttls";
  /** Keep the writable side open after the readable side ends. */
  allowHalfOpen?: boolean;
}

/** A TCP (or TLS) socket in a Worker. */
export interface Socket {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves once connected (and, with TLS, after the handshake). */
  readonly opened: Promise<unknown>;
  /** Resolves when the socket is closed; rejects if it failed. */
  readonly closed: Promise<void>;
  /** Closes both directions. */
  close(): Promise<void>;
}

/**
 * The `connect` function of `cloudflare:sockets`.
 *
 * @example Pass the Workers function in explicitly
 * ```ts ignore
 * import { connect } from "cloudflare:sockets";
 * import { cloudflare } from "@tern/transport/cloudflare";
 *
 * const transport = cloudflare({ hostname: "broker.example.com", port: 8883, connect });
 * ```
 */
export type Connect = (address: SocketAddress | string, options?: SocketOptions) => Socket;

/**
 * Loads `connect` from `cloudflare:sockets` at run time. The specifier is not a literal so
 * that Deno's type checker and bundlers for other runtimes leave it alone; Workers resolve it.
 */
export async function loadConnect(): Promise<Connect> {
  const specifier = "cloudflare:sockets";
  const module: { connect: Connect } = await import(specifier);
  return module.connect;
}
