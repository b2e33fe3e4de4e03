/** `cloudflare:sockets` for a {@linkcode SocketPlan}; loaded by `_sockets.ts` in Workers. */
import { cloudflare } from "./cloudflare.ts";
import type { SocketPlan } from "./_socket_plan.ts";
import type { Transport } from "./types.ts";

/** The plan has no TLS settings and no proxy: `_sockets.ts` refused those for Workers. */
export function sockets(plan: SocketPlan): Transport {
  const { hostname, port, connectTimeoutMs } = plan;
  return cloudflare({ hostname, port, tls: plan.tls !== undefined, connectTimeoutMs });
}
