/**
 * A Worker that runs the whole client flow (tests/support/client_flow.ts) with the codec
 * module workerd hands it precompiled, over `cloudflare()` TCP or `websocket()`, and
 * answers with the flow's result. client_workerd_test.ts bundles it behind an entry that
 * imports `codec.wasm` (a `wasm` module in the workerd config) and serves it.
 */
import { cloudflare } from "@tern/transport/cloudflare";
import { websocket } from "@tern/transport/websocket";
import { runClientFlow } from "./support/client_flow.ts";

/** The Worker's handler for a given precompiled codec module. */
export function worker(
  wasmModule: WebAssembly.Module,
): { fetch(request: Request): Promise<Response> } {
  return {
    async fetch(request) {
      const query = new URL(request.url).searchParams;
      const port = Number(query.get("port"));
      const transport = query.get("transport") === "websocket"
        ? websocket({ url: `ws://127.0.0.1:${port}/mqtt`, connectTimeoutMs: 10_000 })
        : cloudflare({ hostname: "127.0.0.1", port, tls: false, connectTimeoutMs: 10_000 });
      const control = query.get("control")!;
      const result = await runClientFlow({
        transport,
        wasmModule,
        clientId: query.get("clientId")!,
        restartBroker: async () => {
          const response = await fetch(`${control}/restart`, { method: "POST" });
          if (!response.ok) throw new Error(`Cannot restart the broker: ${await response.text()}`);
        },
      });
      // What the old compatibility date is run for: a runtime without FinalizationRegistry.
      const finalizationRegistry = typeof globalThis.FinalizationRegistry;
      return Response.json({ ...result, finalizationRegistry });
    },
  };
}
