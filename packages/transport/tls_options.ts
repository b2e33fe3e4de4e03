/**
 * TLS settings shared by every adapter that speaks TLS (Deno, Node, HTTP proxy tunnels).
 *
 * @module
 */
import type { Connection } from "./types.ts";

/**
 * How to authenticate the server and, for mutual TLS, ourselves. The server's certificate
 * is always verified, including its name; there is no switch to turn that off.
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

/** A connection over TLS, with what the handshake negotiated. */
export interface TlsConnection extends Connection {
  /** The ALPN protocol the server chose, or `null` when it chose none. */
  readonly alpnProtocol: string | null;
}

/** Rejects settings that cannot work, before any connection is attempted. */
export function checkTlsSettings(adapter: string, settings: TlsSettings): void {
  if ((settings.cert === undefined) !== (settings.key === undefined)) {
    throw new TypeError(
      `Cannot create ${adapter} transport: cert and key must be given together for mutual TLS`,
    );
  }
  for (const [name, value] of [["cert", settings.cert], ["key", settings.key]] as const) {
    if (value !== undefined && !value.includes("-----BEGIN")) {
      throw new TypeError(`Cannot create ${adapter} transport: ${name} must be PEM text`);
    }
  }
  for (const ca of settings.caCerts ?? []) {
    if (typeof ca !== "string" || !ca.includes("-----BEGIN")) {
      throw new TypeError(`Cannot create ${adapter} transport: caCerts must be PEM text`);
    }
  }
  if (settings.serverName === "") {
    throw new TypeError(`Cannot create ${adapter} transport: serverName must not be empty`);
  }
}
