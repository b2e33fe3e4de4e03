// The whole client inside workerd (npm: `npm install -g workerd`), against mosquitto: a Worker
// runs tests/support/client_flow.ts with the codec module workerd precompiles from
// packages/codec/codec.wasm, over cloudflare() TCP and over websocket().
import assert from "node:assert/strict";
import { bundle } from "../tools/bundle.ts";
import { startBroker } from "./support/broker.ts";
import { freePort, waitForPort } from "./support/free_port.ts";
import type { ClientFlowResult } from "./support/client_flow.ts";

// The current date, and one from before FinalizationRegistry and WeakRef were enabled, so
// the decoder's explicit lifetime is what frees its memory.
const DATES = { current: "2026-11-01", old: "2024-09-23" };

function config(ports: Record<keyof typeof DATES, number>): string {
  const services = Object.entries(DATES).map(([name, date]) =>
    `(name = "${name}", worker = (
      modules = [
        (name = "worker.js", esModule = embed "worker.js"),
        (name = "codec.wasm", wasm = embed "codec.wasm"),
      ],
      compatibilityDate = "${date}",
      globalOutbound = "loopback",
    )),`
  ).join("\n    ");
  const sockets = Object.keys(DATES).map((name) =>
    `(name = "${name}", address = "127.0.0.1:${
      ports[name as keyof typeof DATES]
    }", http = (), service = "${name}"),`
  ).join("\n    ");
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${services}
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [
    ${sockets}
  ],
);
`;
}

// The Worker's entry, as a Worker project writes it: the bundle keeps the import of
// `codec.wasm`, which the config's `wasm` module satisfies (Wrangler's `CompiledWasm` rule).
const ENTRY = `import wasmModule from "@tern/codec/codec.wasm";
import { worker } from ${
  JSON.stringify(new URL("./client_workerd_worker.ts", import.meta.url).pathname)
};
export default worker(wasmModule);
`;

Deno.test("MqttClient runs the whole flow inside workerd for mqtt:// (cloudflare()) and ws:// (websocket()), with a precompiled codec module", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-workerd-client-" });
  await using broker = await startBroker({ websocket: true });
  // The Worker asks the test to restart the broker mid-flow, and waits for the answer.
  const controlPort = freePort();
  const control = Deno.serve(
    { hostname: "127.0.0.1", port: controlPort, onListen: () => {} },
    async (request) => {
      if (request.method !== "POST" || new URL(request.url).pathname !== "/restart") {
        return new Response("not found", { status: 404 });
      }
      await broker.restart();
      return new Response("restarted");
    },
  );
  let workerd: Deno.ChildProcess | undefined;
  let exited = false;
  let stderr = Promise.resolve("");
  let passed = false;
  try {
    await Deno.writeTextFile(`${dir}/entry.js`, ENTRY);
    const built = await bundle({
      entry: `${dir}/entry.js`,
      outfile: `${dir}/worker.js`,
      runtime: "workerd",
      external: ["cloudflare:sockets"],
    });
    assert.ok(built.inputs.includes("agent/client.ts"), "the Worker runs the real client");
    assert.ok(built.inputs.includes("transport/cloudflare.ts"), "mqtt:// goes to cloudflare()");
    for (const input of built.inputs) {
      assert.doesNotMatch(input, /_sockets_(deno|node)|transport\/(tcp|tls|node)\.ts/, input);
    }
    await Deno.copyFile(
      new URL("../packages/codec/codec.wasm", import.meta.url),
      `${dir}/codec.wasm`,
    );
    const ports = { current: freePort(), old: freePort() };
    await Deno.writeTextFile(`${dir}/config.capnp`, config(ports));
    try {
      workerd = new Deno.Command("workerd", {
        // --verbose: workerd logs uncaught errors, such as the one the flow's handler throws.
        args: ["serve", "--verbose", `${dir}/config.capnp`],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      throw new Error("Cannot start workerd: install it with `npm install -g workerd`", {
        cause: error,
      });
    }
    workerd.status.then(() => exited = true);
    stderr = new Response(workerd.stderr).text();
    for (const port of Object.values(ports)) {
      await waitForPort(port, { isAlive: () => !exited });
    }

    for (const [date, port] of Object.entries(ports)) {
      for (const transport of ["cloudflare", "websocket"]) {
        const clientId = `workerd-${date}-${transport}`;
        const query = new URLSearchParams({
          url: transport === "websocket"
            ? `ws://127.0.0.1:${broker.wsPort}/mqtt`
            : `mqtt://127.0.0.1:${broker.port}`,
          control: `http://127.0.0.1:${controlPort}`,
          clientId,
        });
        const response = await fetch(`http://127.0.0.1:${port}/?${query}`);
        const text = await response.text();
        assert.equal(response.status, 200, `${clientId}: ${text}`);
        const result = JSON.parse(text) as ClientFlowResult & { finalizationRegistry: string };
        const where = `${clientId} (compatibility date ${DATES[date as keyof typeof DATES]})`;
        assert.equal(
          result.finalizationRegistry,
          date === "old" ? "undefined" : "function",
          `${where}: FinalizationRegistry`,
        );
        assert.equal(result.error, undefined, `${where}: ${result.error}`);
        assert.deepEqual(result.steps, [
          "connected",
          "subscribed",
          "echoed",
          "survived a throwing handler",
          "reconnected",
          "resubscribed",
          "stopped",
        ], where);
        assert.deepEqual(result.echoes, ["0:qos 0", "1:qos 1", "2:qos 2", "1:after the throw"]);
        assert.equal(result.handlerCalls, 1, where);
        assert.deepEqual(result.echoesAfterRestart, ["1:again 1", "2:again 2"], where);
        assert.equal(
          result.rejoinedSession,
          false,
          `${where}: the restarted broker kept a session`,
        );
        assert.equal(result.connections, 2, where);
      }
    }
    workerd.kill("SIGTERM");
    await workerd.status;
    // Each run's throwing handler was reported as an uncaught error, and the Worker went on.
    const reported = (await stderr).match(/uncaught exception; desc = Error: A handler failed/g);
    assert.equal(reported?.length, 4, await stderr);
    passed = true;
  } finally {
    if (workerd && !exited) workerd.kill("SIGTERM");
    await workerd?.status;
    const log = await stderr;
    await control.shutdown();
    await Deno.remove(dir, { recursive: true });
    // Printed for a failing run: workerd reports uncaught errors only there.
    if (!passed) console.error(log);
  }
});
