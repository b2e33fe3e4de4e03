/**
 * A Worker that runs the whole client flow (tests/support/client_flow.ts) with the codec
 * module workerd hands it precompiled, for an `mqtt://` URL (which the client opens with
 * `cloudflare()` in a Worker) or a `ws://` one (`websocket()`), and answers with the
 * flow's result. client_workerd_test.ts bundles it behind an entry that
 * imports `codec.wasm` (a `wasm` module in the workerd config) and serves it.
 */
import { runClientFlow } from "./support/client_flow.ts";

/** The Worker's handler for a given precompiled codec module. */
export function worker(
  wasmModule: WebAssembly.Module,
): { fetch(request: Request): Promise<Response> } {
  return {
    async fetch(request) {
      const query = new URL(request.url).searchParams;
      const control = query.get("control")!;
      const result = await runClientFlow({
        url: query.get("url")!,
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
