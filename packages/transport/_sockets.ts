/**
 * The one place that chooses a socket API: Deno's on Deno, `node:net` / `node:tls` on Node
 * and Bun, `cloudflare:sockets` in Workers. Each runtime's adapters sit in their own
 * `_sockets_*.ts` module, reached only through the dynamic import below, so that nothing
 * imports another runtime's module statically. A bundle for one runtime leaves the others
 * out by marking their `_sockets_*.ts` modules external (see the README); nothing else
 * refers to any runtime's sockets.
 */
import { checkTlsSettings } from "./_check_tls_settings.ts";
import { checkConnectTimeout, endpoint } from "./_endpoint.ts";
import { checkProxyTls, parseProxyUrl } from "./_proxy_handshake.ts";
import { currentRuntime, type Runtime } from "./_runtime.ts";
import type { RuntimeSockets, SocketPlan, WebSocketPlan } from "./_socket_plan.ts";
import type { Connection, OpenOptions, Transport } from "./types.ts";

export type { SocketPlan, WebSocketPlan } from "./_socket_plan.ts";

/**
 * A transport for the plan with this runtime's sockets. The options are checked now, the
 * runtime's adapter module is loaded on the first `open()`.
 */
export function socketTransport(plan: SocketPlan): Transport {
  const runtime = currentRuntime();
  checkPlan(runtime, plan);
  return lazy(runtime, (adapters) => adapters.sockets(plan));
}

/**
 * A WebSocket transport for a runtime without a global `WebSocket` (Node 20): Tern's own
 * RFC 6455 client over the runtime's sockets, loaded with them on the first `open()`.
 */
export function socketWebSocket(plan: WebSocketPlan): Transport {
  const runtime = currentRuntime();
  const missing = () => new TypeError("Cannot open a WebSocket: this runtime has no WebSocket");
  if (runtime === "web") throw missing();
  return lazy(runtime, (adapters) => {
    if (!adapters.websocket) throw missing();
    return adapters.websocket(plan);
  });
}

function lazy(runtime: Runtime, make: (adapters: RuntimeSockets) => Transport): Transport {
  let made: Promise<Transport> | undefined;
  return {
    async open(options?: OpenOptions): Promise<Connection> {
      made ??= load(runtime).then(make);
      return (await made).open(options);
    },
  };
}

function load(runtime: Runtime): Promise<RuntimeSockets> {
  if (runtime === "deno") return import("./_sockets_deno.ts");
  if (runtime === "workerd") return import("./_sockets_workerd.ts");
  return import("./_sockets_node.ts");
}

/** Checks the plan when the transport is created; exported for its tests. */
export function checkPlan(runtime: Runtime, plan: SocketPlan): void {
  const kind = plan.tls ? "TLS" : "TCP";
  endpoint(kind, plan.hostname, plan.port);
  checkConnectTimeout(kind, plan.connectTimeoutMs);
  if (plan.tls) checkTlsSettings(kind, plan.tls);
  if (plan.proxy !== undefined) checkProxyTls(kind, parseProxyUrl(plan.proxy), plan.proxyTls);
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
