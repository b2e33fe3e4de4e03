/**
 * The part of the `cloudflare:sockets` module this package uses, declared here so the
 * package type-checks (and loads) outside Workers.
 */

/** An address for `connect()`. */
export interface SocketAddress {
  hostname: string;
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
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves once connected (and, with TLS, after the handshake). */
  readonly opened: Promise<unknown>;
  /** Resolves when the socket is closed; rejects if it failed. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** The `connect` function of `cloudflare:sockets`. */
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
