/** Deno's sockets for a {@linkcode SocketPlan}; loaded by `_sockets.ts` only on Deno. */
import { httpProxy } from "./http_proxy.ts";
import { parseProxyUrl } from "./_proxy_handshake.ts";
import { nodeHttpProxy, nodeTls } from "./node.ts";
import type { SocketPlan } from "./_socket_plan.ts";
import { tcp } from "./tcp.ts";
import { tls } from "./tls.ts";
import type { Transport } from "./types.ts";

/**
 * `Deno.startTls` cannot present a client certificate, nor start TLS inside the TLS to an
 * `https://` proxy, so mutual TLS through a proxy, TLS through an `https://` proxy, and
 * mutual TLS with a server name other than the host go through Deno's `node:tls`, which can.
 */
export function sockets(plan: SocketPlan): Transport {
  const { hostname, port, tls: settings, proxy, connectTimeoutMs } = plan;
  const mutual = settings?.cert !== undefined;
  if (proxy !== undefined) {
    const options = {
      proxy,
      proxyTls: plan.proxyTls,
      hostname,
      port,
      tls: settings,
      connectTimeoutMs,
    };
    const layered = settings !== undefined && parseProxyUrl(proxy).secure;
    return mutual || layered ? nodeHttpProxy(options) : httpProxy(options);
  }
  if (!settings) return tcp({ hostname, port, connectTimeoutMs });
  const renamed = settings.serverName !== undefined && settings.serverName !== hostname;
  const options = { hostname, port, connectTimeoutMs, ...settings };
  return mutual && renamed ? nodeTls(options) : tls(options);
}
