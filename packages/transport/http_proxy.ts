/**
 * MQTT through an HTTP proxy's CONNECT tunnel, with `Deno.connect` and `Deno.startTls`;
 * TLS to the proxy itself for `https://` proxies.
 *
 * @module
 */
import type { Socket } from "node:net";
import { transportError } from "./_classify.ts";
import { checkTlsSettings } from "./_check_tls_settings.ts";
import { openWithin } from "./_deadline.ts";
import { finishTls, holdingConn } from "./_deno_attempt.ts";
import { denoConnection } from "./_deno_connection.ts";
import { nodeConnection, settle, socketReader } from "./_node_connection.ts";
import { connectRequest, readConnectResponse } from "./_proxy_handshake.ts";
import { type ProxyPlan, proxyPlan } from "./_proxy_options.ts";
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
 * through an `http://` proxy use `nodeHttpProxy` from `@tern/transport/node` (which also
 * runs in Deno).
 *
 * With an `https://` proxy the connection to the proxy is TLS (verified against
 * `proxyTls`), and the tunnel's own TLS to the MQTT server runs inside it. Deno cannot
 * start TLS over a TLS connection, so that inner layer, and only it, goes through
 * `node:tls` (loaded when first needed; Deno provides it), which can also present a
 * client certificate.
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
  const proxyTls = secureProxy(options);
  const plan = proxyPlan("http proxy", { ...options, proxy: asHttpUrl(options.proxy) });
  const { target, proxy, action, settings } = plan;
  if (settings?.cert !== undefined && !proxyTls) {
    throw new TypeError(
      "Cannot create http proxy transport: Deno.startTls cannot present a client " +
        "certificate; use nodeHttpProxy from @tern/transport/node for mutual TLS",
    );
  }
  return {
    open(openOptions: OpenOptions = {}) {
      return openWithin(
        { signal: openOptions.signal, timeoutMs: options.connectTimeoutMs, action },
        (signal) => {
          if (proxyTls && settings) return tlsInTlsViaNode(plan, options, proxyTls, signal);
          return holdingConn(signal, action, async (hold) => {
            const tcpConn = await connectTcp({
              hostname: proxy.hostname,
              port: proxy.port,
              signal,
            });
            hold(tcpConn);
            let proxyConn: Deno.Conn = tcpConn;
            if (proxyTls) {
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
          });
        },
        (connection) => connection.close(),
      );
    },
  };
}

/** The proxy TLS settings when `options.proxy` is `https://`, checked; else `undefined`. */
function secureProxy(options: HttpProxyOptions): ProxyTlsSettings | undefined {
  let protocol: string;
  try {
    protocol = new URL(options.proxy).protocol;
  } catch {
    return undefined; // proxyPlan() reports the malformed URL.
  }
  if (protocol !== "https:") {
    if (options.proxyTls !== undefined) {
      throw new TypeError(
        "Cannot create http proxy transport: proxyTls is for https:// proxies only",
      );
    }
    return undefined;
  }
  const proxyTls = options.proxyTls ?? {};
  checkTlsSettings("http proxy", proxyTls);
  return proxyTls;
}

/** An `https://` proxy URL as the `http://` one the shared plan parses, same host and port. */
function asHttpUrl(proxy: string | URL): string | URL {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    return proxy;
  }
  if (url.protocol !== "https:") return proxy;
  url.protocol = "http:";
  if (url.port === "") url.port = "443";
  return url;
}

/**
 * TLS to the proxy, CONNECT, then TLS to the MQTT server inside that TLS: all on
 * `node:tls`, whose `connect({ socket })` layers one TLS session over another.
 */
async function tlsInTlsViaNode(
  plan: ProxyPlan,
  options: HttpProxyOptions,
  proxyTls: ProxyTlsSettings,
  signal: AbortSignal,
): Promise<TlsConnection> {
  const { target, proxy, action, settings } = plan;
  const [tls, net] = await Promise.all([import("node:tls"), import("node:net")]);
  const context = (hostname: string, tlsSettings: TlsSettings) => {
    const serverName = tlsSettings.serverName ?? hostname;
    return {
      // Node replaces its roots with `ca`; Deno adds to them. Adding keeps both the same.
      ca: tlsSettings.caCerts ? [...tls.rootCertificates, ...tlsSettings.caCerts] : undefined,
      cert: tlsSettings.cert,
      key: tlsSettings.key,
      ALPNProtocols: tlsSettings.alpnProtocols,
      servername: net.isIP(serverName) ? undefined : serverName,
      checkServerIdentity: (_host: string, certificate: import("node:tls").PeerCertificate) =>
        tls.checkServerIdentity(serverName, certificate),
      rejectUnauthorized: true,
    };
  };
  const sockets: Socket[] = [];
  const track = <S extends Socket>(socket: S): S => {
    sockets.push(socket);
    socket.on("error", () => {});
    return socket;
  };
  const destroy = () => sockets.forEach((socket) => socket.destroy());
  signal.addEventListener("abort", destroy, { once: true });
  try {
    const outer = track(
      tls.connect({ host: proxy.hostname, port: proxy.port, ...context(proxy.hostname, proxyTls) }),
    );
    await settle(outer, "secureConnect", () => {});
    outer.setNoDelay(true);
    const reader = socketReader(outer);
    try {
      await new Promise<void>((resolve, reject) =>
        outer.write(connectRequest(target, proxy), (e) => (e ? reject(e) : resolve()))
      );
      await readConnectResponse(reader.read, action);
    } finally {
      reader.release();
    }
    const inner = track(tls.connect({ socket: outer, ...context(options.hostname, settings!) }));
    return await settle(inner, "secureConnect", (socket) =>
      nodeConnection(socket, target, {
        alpnProtocol: (socket as import("node:tls").TLSSocket).alpnProtocol || null,
      }));
  } catch (error) {
    destroy();
    throw transportError(action, error);
  } finally {
    signal.removeEventListener("abort", destroy);
  }
}
