/**
 * TLS settings shared by every adapter that speaks TLS (Deno, Node, HTTP proxy tunnels).
 *
 * @module
 */
import type { Connection } from "./types.ts";

/**
 * How to authenticate the server and, for mutual TLS, ourselves. The server's certificate
 * is always verified, including its name; there is no switch to turn that off.
 *
 * @example Settings for AWS IoT Core on port 443
 * ```ts
 * import type { TlsSettings } from "@tern/transport";
 *
 * const settings: TlsSettings = { alpnProtocols: ["x-amzn-mqtt-ca"] };
 * console.log(settings.alpnProtocols);
 * ```
 */
export interface TlsSettings {
  /** PEM CA certificates trusted in addition to the runtime's roots (e.g. a private CA). */
  caCerts?: string[];
  /** PEM client certificate (chain) for mutual TLS; needs `key`. */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
  /** ALPN protocols to offer, e.g. `["x-amzn-mqtt-ca"]` for AWS IoT on port 443. */
  alpnProtocols?: string[];
  /** Name to verify the certificate against and to send as SNI; defaults to the hostname. */
  serverName?: string;
}

/** A connection over TLS, with what the handshake negotiated. *
 * @example Check what ALPN chose
 * ```ts
 * import type { TlsConnection } from "@tern/transport";
 *
 * function describe(connection: TlsConnection): string {
 *   return connection.alpnProtocol ?? "no ALPN";
 * }
 * console.log(typeof describe);
 * ```
 */
export interface TlsConnection extends Connection {
  /** The ALPN protocol the server chose, or `null` when it chose none. */
  readonly alpnProtocol: string | null;
}
