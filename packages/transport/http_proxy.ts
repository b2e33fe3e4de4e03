/**
 * MQTT through an HTTP proxy's CONNECT tunnel, with `Deno.connect` and `Deno.startTls`;
 * TLS to the proxy itself for `https://` proxies.
 *
 * @module
 */
import { openWithin } from "./_deadline.ts";
import { finishTls, holdingConn } from "./_deno_attempt.ts";
import { denoConnection } from "./_deno_connection.ts";
import { checkProxyTls, connectRequest, readConnectResponse } from "./_proxy_handshake.ts";
import { proxyPlan } from "./_proxy_plan.ts";
import type { TlsConnection, TlsSettings } from "./tls_options.ts";
import type { OpenOptions } from "./types.ts";
import { connectTcp } from "./_deno_tcp.ts";

/** Options for {@linkcode httpProxy}. *
 * @example Options for TLS through an authenticating proxy
 * ```ts
 * import type { HttpProxyOptions } from "@tern/transport/http-proxy";
 *
 * const options: HttpProxyOptions = {
 *   proxy: "http://alice:secret@127.0.0.1:3128",
 *   hostname: "broker.example.com",
 *   port: 8883,
 *   tls: true,
 * };
 * console.log(options.port);
 * ```
 */
export interface HttpProxyOptions {
  /**
   * The proxy, `http://[user:password@]host:port` (port 80 by default), or `https://…`
   * (port 443) for TLS to the proxy itself; credentials are sent as basic auth.
   */
  proxy: string | URL;
  /**
   * TLS to an `https://` proxy (not to the MQTT server): extra CAs for the proxy's
   * certificate and the name to check it against (default the proxy's host).
   */
  proxyTls?: ProxyTlsSettings;
  /** Host name of the MQTT server, as the proxy should resolve it. */
  hostname: string;
  /** Port of the MQTT server. */
  port: number;
  /** TLS to the MQTT server inside the tunnel (`mqtts://`): `true`, or the settings to use. */
  tls?: boolean | TlsSettings;
  /** Milliseconds `open()` waits, tunnel and handshake included; default 30 000. */
  connectTimeoutMs?: number;
}

/** TLS settings for the connection to an `https://` proxy. *
 * @example Trust a proxy's private CA
 * ```ts
 * import type { ProxyTlsSettings } from "@tern/transport/http-proxy";
 *
 * const proxyTls: ProxyTlsSettings = {
 *   caCerts: ["-----BEGIN CERTIFICATE-----\n…"],
 *   serverName: "proxy.internal",
 * };
 * console.log(proxyTls.serverName);
 * ```
 */
export interface ProxyTlsSettings {
  /** PEM CA certificates that may sign the proxy's certificate, besides the runtime's. */
  caCerts?: string[];
  /** The name the proxy's certificate must carry; default the proxy URL's host. */
  serverName?: string;
}

/** A transport through a proxy; its connections carry `alpnProtocol` (null without TLS). *
 * @example Create a proxy transport
 * ```ts
 * import { httpProxy, type HttpProxyTransport } from "@tern/transport/http-proxy";
 *
 * const transport: HttpProxyTransport = httpProxy({
 *   proxy: "http://127.0.0.1:3128",
 *   hostname: "127.0.0.1",
 *   port: 1883,
 * });
 * console.log(typeof transport.open); // "function"
 * ```
 */
export interface HttpProxyTransport {
  /** Opens the tunnel, then TLS over it when asked. */
  open(options?: OpenOptions): Promise<TlsConnection>;
}

/**
 * A transport through an HTTP proxy: `CONNECT host:port` (with basic auth when the proxy
 * URL has credentials), then plain MQTT or TLS over the tunnel. Needs `--allow-net`.
 *
 * A 407 answer rejects with a `proxy-auth-required` error, any other non-2xx status with
 * `proxy-status`. `Deno.startTls` cannot present a client certificate, so for mutual TLS
 * through a proxy use `nodeHttpProxy` from `@tern/transport/node` (which also runs in Deno).
 *
 * An `https://` proxy is reached over TLS (verified against `proxyTls`), and the tunnel
 * inside carries plain MQTT. Deno cannot start TLS inside a TLS connection, so TLS to the
 * broker through an `https://` proxy is `nodeHttpProxy`'s.
 *
 * @example TLS to a broker through a corporate proxy
 * ```ts ignore
 * import { httpProxy } from "@tern/transport/http-proxy";
 *
 * const transport = httpProxy({
 *   proxy: "http://alice:secret@proxy.internal:3128",
 *   hostname: "broker.example.com",
 *   port: 8883,
 *   tls: true,
 * });
 * const connection = await transport.open();
 * await connection.close();
 * ```
 */
export function httpProxy(options: HttpProxyOptions): HttpProxyTransport {
  const { target, proxy, action, settings } = proxyPlan("http proxy", options);
  checkProxyTls("http proxy", proxy, options.proxyTls);
  if (settings?.cert !== undefined) {
    throw new TypeError(
      "Cannot create http proxy transport: Deno.startTls cannot present a client " +
        "certificate; use nodeHttpProxy from @tern/transport/node for mutual TLS",
    );
  }
  if (settings && proxy.secure) {
    throw new TypeError(
      "Cannot create http proxy transport: Deno cannot start TLS inside the TLS to an " +
        "https:// proxy; use nodeHttpProxy from @tern/transport/node",
    );
  }
  const proxyTls = options.proxyTls ?? {};
  return {
    open(openOptions: OpenOptions = {}) {
      return openWithin(
        { signal: openOptions.signal, timeoutMs: options.connectTimeoutMs, action },
        (signal) =>
          holdingConn(signal, action, async (hold) => {
            const tcpConn = await connectTcp({
              hostname: proxy.hostname,
              port: proxy.port,
              signal,
            });
            hold(tcpConn);
            let proxyConn: Deno.Conn = tcpConn;
            if (proxy.secure) {
              const tlsConn = await Deno.startTls(tcpConn, {
                hostname: proxyTls.serverName ?? proxy.hostname,
                caCerts: proxyTls.caCerts,
              });
              hold(tlsConn);
              await tlsConn.handshake();
              proxyConn = tlsConn;
            }
            let written = 0;
            const request = connectRequest(target, proxy);
            while (written < request.length) {
              written += await proxyConn.write(request.subarray(written));
            }
            await readConnectResponse((into) => proxyConn.read(into), action);
            if (!settings) return denoConnection(proxyConn, target, { alpnProtocol: null });
            const tlsConn = await Deno.startTls(tcpConn, {
              hostname: settings.serverName ?? options.hostname,
              caCerts: settings.caCerts,
              alpnProtocols: settings.alpnProtocols,
            });
            hold(tlsConn);
            return await finishTls(tlsConn, target, signal);
          }),
        (connection) => connection.close(),
      );
    },
  };
}
