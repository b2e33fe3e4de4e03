/**
 * TLS with `Deno.connectTls`: private CAs, client certificates, ALPN.
 *
 * @module
 */
import { openWithin } from "./_deadline.ts";
import { finishTls, holdingConn } from "./_deno_attempt.ts";
import { checkConnectTimeout, endpoint } from "./_endpoint.ts";
import { checkTlsSettings } from "./_check_tls_settings.ts";
import type { TlsConnection, TlsSettings } from "./tls_options.ts";
import type { OpenOptions } from "./types.ts";
import { connectTcp } from "./_deno_tcp.ts";

export type { TlsConnection, TlsSettings } from "./tls_options.ts";

/** Options for {@linkcode tls}. *
 * @example Options for mutual TLS
 * ```ts
 * import type { TlsOptions } from "@tern/transport/tls";
 *
 * const options: TlsOptions = {
 *   hostname: "broker.example.com",
 *   port: 8883,
 *   caCerts: ["-----BEGIN CERTIFICATE-----\n…"],
 *   cert: "-----BEGIN CERTIFICATE-----\n…",
 *   key: "-----BEGIN PRIVATE KEY-----\n…",
 * };
 * console.log(options.port);
 * ```
 */
export interface TlsOptions extends TlsSettings {
  /** Host name or IP address of the server. */
  hostname: string;
  /** TCP port of the server, usually 8883 (or 443 with ALPN). */
  port: number;
  /** Milliseconds `open()` waits, handshake included, before a `timeout` error; default 30 000. */
  connectTimeoutMs?: number;
}

/** A transport whose connections report what the TLS handshake negotiated. *
 * @example Read the negotiated protocol
 * ```ts
 * import { tls, type TlsTransport } from "@tern/transport/tls";
 *
 * const transport: TlsTransport = tls({ hostname: "localhost", port: 8883 });
 * console.log(typeof transport.open); // "function"
 * ```
 */
export interface TlsTransport {
  /** Connects, completes the handshake, and verifies the server certificate. */
  open(options?: OpenOptions): Promise<TlsConnection>;
}

/**
 * A transport over TLS (`mqtts://`), using `Deno.connectTls`. Needs `--allow-net`.
 *
 * `open()` resolves once the handshake is complete, so an untrusted or misnamed server
 * certificate fails `open()`. A server that rejects the client certificate says so after
 * the handshake under TLS 1.3; that surfaces as a `tls-client-certificate-rejected` error
 * on the first read.
 *
 * Without a client certificate the connection is opened with `Deno.connect` and
 * `Deno.startTls`, with Nagle's algorithm off (`TCP_NODELAY`), like {@linkcode tcp}. With
 * one it takes `Deno.connectTls`, whose connections cannot turn Nagle's algorithm off: a
 * small packet written while the previous one is unacknowledged can wait for the server's
 * delayed ACK (about 40 ms on Linux). `nodeTls` from `@tern/transport/node` (it runs under
 * Deno too) has neither limit, and also takes a client certificate with a `serverName`
 * different from `hostname`.
 *
 * @example Mutual TLS with ALPN, as AWS IoT Core accepts it on port 443
 * ```ts ignore
 * import { tls } from "@tern/transport/tls";
 *
 * const transport = tls({
 *   hostname: "example-ats.iot.eu-west-1.amazonaws.com",
 *   port: 443,
 *   cert: await Deno.readTextFile("device.pem.crt"),
 *   key: await Deno.readTextFile("private.pem.key"),
 *   alpnProtocols: ["x-amzn-mqtt-ca"],
 * });
 * const connection = await transport.open();
 * console.log(connection.alpnProtocol); // "x-amzn-mqtt-ca"
 * await connection.close();
 * ```
 */
export function tls(options: TlsOptions): TlsTransport {
  const peer = endpoint("tls", options.hostname, options.port);
  checkConnectTimeout("tls", options.connectTimeoutMs);
  checkTlsSettings("tls", options);
  const { hostname, port, caCerts, cert, key, alpnProtocols, connectTimeoutMs } = options;
  const serverName = options.serverName ?? hostname;
  if (serverName !== hostname && cert !== undefined) {
    throw new TypeError(
      "Cannot create tls transport: Deno.startTls cannot present a client certificate, " +
        "so serverName must equal hostname for mutual TLS (nodeTls supports both)",
    );
  }
  return {
    open(openOptions: OpenOptions = {}): Promise<TlsConnection> {
      const action = `connect to ${peer} over TLS`;
      return openWithin(
        { signal: openOptions.signal, timeoutMs: connectTimeoutMs, action },
        (signal) =>
          holdingConn(signal, action, async (hold) => {
            let conn: Deno.TlsConn;
            if (cert !== undefined && key !== undefined) {
              conn = await Deno.connectTls({ hostname, port, caCerts, alpnProtocols, cert, key });
            } else {
              // TCP first, so Nagle's algorithm can be turned off (a TlsConn has no
              // setNoDelay); Deno.startTls cannot present a client certificate, though.
              const tcpConn = await connectTcp({ hostname, port, signal });
              hold(tcpConn);
              conn = await Deno.startTls(tcpConn, { hostname: serverName, caCerts, alpnProtocols });
            }
            hold(conn);
            return await finishTls(conn, peer, signal);
          }),
        (connection) => connection.close(),
      );
    },
  };
}
