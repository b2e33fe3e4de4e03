/**
 * TCP, TLS and HTTP-proxy transports on `node:net` and `node:tls`, for Node and Bun
 * (Deno runs them too). Same options as the Deno adapters.
 *
 * @module
 */
import type * as net from "node:net";
import type * as tlsModule from "node:tls";
import { transportError } from "./_classify.ts";
import { openWithin } from "./_deadline.ts";
import { checkConnectTimeout, endpoint } from "./_endpoint.ts";
import { nodeConnection, settle, socketReader } from "./_node_connection.ts";
import { checkProxyTls, connectRequest, readConnectResponse } from "./_proxy_handshake.ts";
import { proxyPlan } from "./_proxy_plan.ts";
import type { HttpProxyOptions } from "./http_proxy.ts";
import type { TcpOptions } from "./tcp.ts";
import type { TlsOptions } from "./tls.ts";
import { checkTlsSettings } from "./_check_tls_settings.ts";
import type { TlsConnection, TlsSettings } from "./tls_options.ts";
import type { Connection, OpenOptions, Transport } from "./types.ts";

export type { HttpProxyOptions } from "./http_proxy.ts";
export type { TcpOptions } from "./tcp.ts";
export type { TlsOptions } from "./tls.ts";
export type { TlsConnection, TlsSettings } from "./tls_options.ts";
export type { Connection, OpenOptions, Transport } from "./types.ts";

/** A transport whose connections report what the TLS handshake negotiated. *
 * @example Create a Node TLS transport
 * ```ts
 * import { nodeTls, type NodeTlsTransport } from "@tern/transport/node";
 *
 * const transport: NodeTlsTransport = nodeTls({ hostname: "localhost", port: 8883 });
 * console.log(typeof transport.open); // "function"
 * ```
 */
export interface NodeTlsTransport {
  /** Connects, completes the handshake, and verifies the server certificate. */
  open(options?: OpenOptions): Promise<TlsConnection>;
}

/**
 * A plain TCP transport on `node:net`.
 *
 * @example Open a connection from Node or Bun
 * ```ts ignore
 * import { nodeTcp } from "@tern/transport/node";
 *
 * const connection = await nodeTcp({ hostname: "127.0.0.1", port: 1883 }).open();
 * await connection.close();
 * ```
 */
export function nodeTcp(options: TcpOptions): Transport {
  const peer = endpoint("node tcp", options.hostname, options.port);
  checkConnectTimeout("node tcp", options.connectTimeoutMs);
  return {
    open(openOptions: OpenOptions = {}): Promise<Connection> {
      const action = `connect to ${peer}`;
      return openWithin(
        { signal: openOptions.signal, timeoutMs: options.connectTimeoutMs, action },
        (signal) =>
          establish(signal, action, ({ net }, track) => {
            const socket = track(net.connect({ host: options.hostname, port: options.port }));
            return settle(socket, "connect", (ready) => nodeConnection(ready, peer, {}));
          }),
        (connection) => connection.close(),
      );
    },
  };
}

/**
 * A TLS transport on `node:tls`: private CAs (added to Node's roots), client certificates,
 * ALPN and a server name, with certificate and host name verification always on.
 *
 * @example Mutual TLS with ALPN on port 443
 * ```ts ignore
 * import { readFileSync } from "node:fs";
 * import { nodeTls } from "@tern/transport/node";
 *
 * const connection = await nodeTls({
 *   hostname: "example-ats.iot.eu-west-1.amazonaws.com",
 *   port: 443,
 *   cert: readFileSync("device.pem.crt", "utf8"),
 *   key: readFileSync("private.pem.key", "utf8"),
 *   alpnProtocols: ["x-amzn-mqtt-ca"],
 * }).open();
 * await connection.close();
 * ```
 */
export function nodeTls(options: TlsOptions): NodeTlsTransport {
  const peer = endpoint("node tls", options.hostname, options.port);
  checkConnectTimeout("node tls", options.connectTimeoutMs);
  checkTlsSettings("node tls", options);
  return {
    open(openOptions: OpenOptions = {}): Promise<TlsConnection> {
      const action = `connect to ${peer} over TLS`;
      return openWithin(
        { signal: openOptions.signal, timeoutMs: options.connectTimeoutMs, action },
        (signal) =>
          establish(signal, action, (modules, track) => {
            const socket = track(modules.tls.connect({
              host: options.hostname,
              port: options.port,
              ...secureContext(modules, options.hostname, options),
            }));
            return settle(socket, "secureConnect", (ready) => tlsConnection(ready, peer));
          }),
        (connection) => connection.close(),
      );
    },
  };
}

/**
 * An HTTP CONNECT tunnel on `node:net`, then TLS over it with `tls.connect({ socket })`.
 * Unlike `httpProxy` on Deno, it can present a client certificate (mutual TLS), and run
 * TLS to the broker inside the TLS to an `https://` proxy.
 *
 * @example Mutual TLS through a proxy
 * ```ts ignore
 * import { nodeHttpProxy } from "@tern/transport/node";
 *
 * const connection = await nodeHttpProxy({
 *   proxy: "http://proxy.internal:3128",
 *   hostname: "broker.example.com",
 *   port: 8883,
 *   tls: { cert: "-----BEGIN CERTIFICATE-----…", key: "-----BEGIN PRIVATE KEY-----…" },
 * }).open();
 * await connection.close();
 * ```
 */
export function nodeHttpProxy(options: HttpProxyOptions): NodeTlsTransport {
  const { target, proxy, action, settings } = proxyPlan("node http proxy", options);
  checkProxyTls("node http proxy", proxy, options.proxyTls);
  return {
    open(openOptions: OpenOptions = {}): Promise<TlsConnection> {
      return openWithin(
        { signal: openOptions.signal, timeoutMs: options.connectTimeoutMs, action },
        (signal) =>
          establish(signal, action, async (modules, track) => {
            const address = { host: proxy.hostname, port: proxy.port };
            const tunnel = track(
              proxy.secure
                ? modules.tls.connect({
                  ...address,
                  ...secureContext(modules, proxy.hostname, options.proxyTls ?? {}),
                })
                : modules.net.connect(address),
            );
            await settle(tunnel, proxy.secure ? "secureConnect" : "connect", () => {});
            const reader = socketReader(tunnel);
            try {
              await new Promise<void>((resolve, reject) =>
                tunnel.write(connectRequest(target, proxy), (e) => (e ? reject(e) : resolve()))
              );
              await readConnectResponse(reader.read, action);
            } finally {
              reader.release();
            }
            if (!settings) return nodeConnection(tunnel, target, { alpnProtocol: null });
            const socket = track(modules.tls.connect({
              socket: tunnel,
              ...secureContext(modules, options.hostname, settings),
            }));
            return settle(socket, "secureConnect", (ready) => tlsConnection(ready, target));
          }),
        (connection) => connection.close(),
      );
    },
  };
}

/** `node:net` and `node:tls`, loaded on first use (see {@linkcode loadModules}). */
interface NodeModules {
  net: typeof net;
  tls: typeof tlsModule;
}

let modules: Promise<NodeModules> | undefined;

/**
 * Imports `node:net` and `node:tls` when a connection is first opened, not when this module
 * loads: a bundle that holds this adapter without using it (a Worker's, say) must still load
 * where those modules do not exist.
 */
function loadModules(): Promise<NodeModules> {
  modules ??= Promise.all([import("node:net"), import("node:tls")]).then(([net, tls]) => ({
    net,
    tls,
  }));
  return modules;
}

function secureContext(
  { net, tls: tlsModule }: NodeModules,
  hostname: string,
  settings: TlsSettings,
): tlsModule.ConnectionOptions {
  const serverName = settings.serverName ?? hostname;
  return {
    // Node replaces its roots with `ca`; Deno adds to them. Adding keeps both the same.
    ca: settings.caCerts ? [...tlsModule.rootCertificates, ...settings.caCerts] : undefined,
    cert: settings.cert,
    key: settings.key,
    ALPNProtocols: settings.alpnProtocols,
    // SNI must be a host name (RFC 6066); verification still checks an IP against the SANs.
    servername: net.isIP(serverName) ? undefined : serverName,
    checkServerIdentity: (_host, certificate) =>
      tlsModule.checkServerIdentity(serverName, certificate),
    rejectUnauthorized: true,
  };
}

function tlsConnection(socket: net.Socket, peer: string): TlsConnection {
  const alpnProtocol = (socket as tlsModule.TLSSocket).alpnProtocol || null;
  return nodeConnection(socket, peer, { alpnProtocol });
}

/**
 * Runs the steps that produce a connection, destroying every socket made along the way if
 * they fail or the deadline passes first. Every socket gets an error listener at once, so
 * an error between steps is reported by the step that follows, never thrown globally.
 */
async function establish<C extends Connection>(
  signal: AbortSignal,
  action: string,
  steps: (modules: NodeModules, track: <S extends net.Socket>(socket: S) => S) => Promise<C>,
): Promise<C> {
  const sockets: net.Socket[] = [];
  const destroy = () => {
    for (const socket of sockets) socket.destroy();
  };
  const track = <S extends net.Socket>(socket: S): S => {
    sockets.push(socket);
    socket.on("error", () => {});
    // MQTT's packets are small: no Nagle delay (TCP_NODELAY), as tcp() does.
    socket.setNoDelay(true);
    return socket;
  };
  signal.addEventListener("abort", destroy, { once: true });
  try {
    return await steps(await loadModules(), track);
  } catch (error) {
    destroy();
    throw transportError(action, error);
  } finally {
    signal.removeEventListener("abort", destroy);
  }
}
