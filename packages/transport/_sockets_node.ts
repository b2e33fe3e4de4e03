/** `node:net` and `node:tls` for a {@linkcode SocketPlan}; loaded by `_sockets.ts` on Node and Bun. */
import { nodeHttpProxy, nodeTcp, nodeTls } from "./node.ts";
import type { SocketPlan, WebSocketPlan } from "./_socket_plan.ts";
import type { Transport } from "./types.ts";
import { websocketOver } from "./_websocket_over.ts";

/** The Node adapter the plan calls for. */
export function sockets(plan: SocketPlan): Transport {
  const { hostname, port, tls: settings, proxy, connectTimeoutMs } = plan;
  if (proxy !== undefined) {
    const { proxyTls } = plan;
    return nodeHttpProxy({ proxy, proxyTls, hostname, port, tls: settings, connectTimeoutMs });
  }
  if (!settings) return nodeTcp({ hostname, port, connectTimeoutMs });
  return nodeTls({ hostname, port, connectTimeoutMs, ...settings });
}

/** Node 20 has no global WebSocket: Tern's RFC 6455 client over `node:net` / `node:tls`. */
export function websocket(plan: WebSocketPlan): Transport {
  const { connectTimeoutMs } = plan;
  return websocketOver({
    ...plan,
    tunnel: ({ hostname, port, secure }) =>
      sockets({ hostname, port, tls: secure ? {} : undefined, connectTimeoutMs }),
    via: "",
  });
}
