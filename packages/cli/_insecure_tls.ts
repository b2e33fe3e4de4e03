/**
 * TLS without the host name check, for `--insecure` (mosquitto's meaning: the certificate
 * chain is still verified, only its name is not). `@tern/transport` deliberately has no
 * switch for it, so this adapter calls `Deno.connectTls` with
 * `unsafelyDisableHostnameVerification` itself.
 *
 * @module
 */
import type { Connection, OpenOptions, TlsSettings, Transport } from "@tern/transport";

/** Where to connect and with which certificates. */
export interface InsecureTlsOptions extends TlsSettings {
  /** Host name or address of the broker. */
  hostname: string;
  /** Its TLS port. */
  port: number;
}

/** A transport over TLS that trusts any name on a certificate that chains to a trusted CA. */
export function insecureTls(options: InsecureTlsOptions): Transport {
  const { hostname, port, caCerts, cert, key, alpnProtocols } = options;
  return {
    async open(openOptions: OpenOptions = {}): Promise<Connection> {
      openOptions.signal?.throwIfAborted();
      const conn = await Deno.connectTls({
        hostname,
        port,
        caCerts,
        alpnProtocols,
        unsafelyDisableHostnameVerification: true,
        ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
      });
      try {
        await conn.handshake();
      } catch (error) {
        conn.close();
        throw error;
      }
      let closed = false;
      return {
        readable: conn.readable,
        async write(bytes) {
          for (let written = 0; written < bytes.length;) {
            written += await conn.write(bytes.subarray(written));
          }
        },
        close() {
          if (!closed) {
            closed = true;
            try {
              conn.close();
            } catch {
              // Already closed by the readable ending: nothing left to release.
            }
          }
          return Promise.resolve();
        },
      };
    },
  };
}
