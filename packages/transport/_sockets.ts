/**
 * The one place that chooses a socket API: Deno's on Deno, `node:net` / `node:tls` on Node
 * and Bun, `cloudflare:sockets` in Workers. Each runtime's adapters sit in their own
 * `_sockets_*.ts` module, reached only through the dynamic import below, so that nothing
 * imports another runtime's module statically. A bundle for one runtime can leave the
 * others out: the three modules are the only ones to drop or stub (see the README).
 */
import { checkTlsSettings } from "./_check_tls_settings.ts";
import { checkConnectTimeout, endpoint } from "./_endpoint.ts";
import { parseProxyUrl } from "./_proxy_handshake.ts";
import { currentRuntime, type Runtime } from "./_runtime.ts";
import type { SocketAdapter, SocketPlan } from "./_socket_plan.ts";
import type { Connection, OpenOptions, Transport } from "./types.ts";

export type { SocketPlan } from "./_socket_plan.ts";

/**
 * A transport for the plan with this runtime's sockets. The options are checked now, the
 * runtime's adapter module is loaded on the first `open()`.
 */
export function socketTransport(plan: SocketPlan): Transport {
  const runtime = currentRuntime();
  checkPlan(runtime, plan);
  let made: Promise<Transport> | undefined;
  return {
    async open(options?: OpenOptions): Promise<Connection> {
      made ??= load(runtime).then((sockets) => sockets(plan));
      return (await made).open(options);
    },
  };
}

async function load(runtime: Runtime): Promise<SocketAdapter> {
  if (runtime === "deno") return (await import("./_sockets_deno.ts")).sockets;
  if (runtime === "workerd") return (await import("./_sockets_workerd.ts")).sockets;
  return (await import("./_sockets_node.ts")).sockets;
}

/** Checks the plan when the transport is created; exported for its tests. */
export function checkPlan(runtime: Runtime, plan: SocketPlan): void {
  const kind = plan.tls ? "TLS" : "TCP";
  endpoint(kind, plan.hostname, plan.port);
  checkConnectTimeout(kind, plan.connectTimeoutMs);
  if (plan.tls) checkTlsSettings(kind, plan.tls);
  if (plan.proxy !== undefined) parseProxyUrl(plan.proxy);
  if (runtime === "web") {
    throw new TypeError(
      `Cannot create a ${kind} transport: this runtime has no TCP sockets, only WebSocket; ` +
        "use a ws:// or wss:// URL",
    );
  }
  if (runtime !== "workerd") return;
  const unusable = Object.entries(plan.tls ?? {}).filter(([, value]) => value !== undefined);
  const names = [...unusable.map(([name]) => name), ...(plan.proxy ? ["proxy"] : [])];
  if (names.length > 0) {
    throw new TypeError(
      `Cannot create a ${kind} transport: Cloudflare Workers sockets cannot take ${
        names.join(", ")
      }`,
    );
  }
}
