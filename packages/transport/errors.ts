/**
 * The one error type transports reject with, and the codes that say what failed.
 *
 * @module
 */

/**
 * What went wrong while opening or using a connection.
 *
 * - `refused`: nothing listens on the port (or a firewall rejected the connection)
 * - `dns`: the host name did not resolve
 * - `timeout`: the connection was not open within `connectTimeoutMs`
 * - `tls-unknown-ca`: the server's certificate does not chain to a trusted CA
 * - `tls-hostname-mismatch`: the server's certificate is not valid for the server name
 * - `tls-client-certificate-rejected`: the server refused our client certificate (or wanted one)
 * - `tls-handshake`: any other TLS failure
 * - `proxy-auth-required`: the HTTP proxy wants (other) credentials: 407, or 401 from some proxies
 * - `proxy-status`: the HTTP proxy answered CONNECT with another non-2xx status
 * - `proxy-protocol`: the HTTP proxy sent something that is not a valid CONNECT response
 * - `websocket-upgrade`: the server did not accept the WebSocket upgrade
 * - `network`: any other failure of the connection (reset, broken pipe, ...)
 *
 * @example Branch on the code
 * ```ts
 * import { TransportError } from "@tern/transport";
 *
 * function advice(error: TransportError): string {
 *   switch (error.code) {
 *     case "tls-unknown-ca":
 *       return "pass the broker's CA in caCerts";
 *     case "proxy-auth-required":
 *       return "check the proxy credentials";
 *     default:
 *       return error.message;
 *   }
 * }
 * console.log(advice(new TransportError("Cannot connect: x", { code: "tls-unknown-ca" })));
 * ```
 */
export type TransportErrorCode =
  | "refused"
  | "dns"
  | "timeout"
  | "tls-unknown-ca"
  | "tls-hostname-mismatch"
  | "tls-client-certificate-rejected"
  | "tls-handshake"
  | "proxy-auth-required"
  | "proxy-status"
  | "proxy-protocol"
  | "websocket-upgrade"
  | "network";

/** Options for {@linkcode TransportError}. *
 * @example Keep the runtime error as the cause
 * ```ts
 * import { TransportError } from "@tern/transport";
 *
 * const cause = new Error("Connection refused (os error 111)");
 * const error = new TransportError("Cannot connect to 127.0.0.1:1883: connection refused", {
 *   code: "refused",
 *   cause,
 * });
 * console.log(error.cause === cause); // true
 * ```
 */
export interface TransportErrorOptions {
  /** What failed. */
  code: TransportErrorCode;
  /** The runtime's own error, kept for diagnosis. */
  cause?: unknown;
  /** The HTTP status the proxy (or WebSocket server) answered with, when there was one. */
  status?: number;
}

/**
 * A connection could not be opened, or failed while in use.
 *
 * @example Tell a refused connection from a TLS problem
 * ```ts
 * import { TransportError } from "@tern/transport";
 *
 * const error = new TransportError("Cannot connect to 127.0.0.1:1883: connection refused", {
 *   code: "refused",
 * });
 * console.log(error.code); // "refused"
 * console.log(error instanceof TransportError); // true
 * ```
 */
export class TransportError extends Error {
  /** What failed; see {@linkcode TransportErrorCode}. */
  readonly code: TransportErrorCode;
  /** The HTTP status a proxy or WebSocket server answered with, when there was one. */
  readonly status?: number;

  /** Creates the error. */
  constructor(message: string, options: TransportErrorOptions) {
    super(message, { cause: options.cause });
    this.name = "TransportError";
    this.code = options.code;
    this.status = options.status;
  }
}
