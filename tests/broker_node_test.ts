// The embedded broker off Deno: bundled with `deno bundle`, run by Node 20 and Bun, where
// `broker.listen()` uses node:net; Tern's MqttClient talks to it from Deno.
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { bundle } from "./transport_bundle.ts";

for (const runtime of ["node", "bun"]) {
  Deno.test(`the embedded broker serves TCP under ${runtime}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "tern-broker-node-" });
    try {
      const entry = await bundle(new URL("./broker_node_entry.ts", import.meta.url).pathname, {
        outDir: dir,
        platform: "deno",
        name: "entry.mjs",
      });
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(runtime, { args: [entry], stdout: "piped", stderr: "inherit" })
          .spawn();
      } catch (error) {
        throw new Error(`Cannot run ${runtime}: is it installed? (npm install -g ${runtime})`, {
          cause: error,
        });
      }
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let output = "";
      while (!output.includes("\n")) {
        const { value, done } = await lines.read();
        if (done) throw new Error(`${runtime} exited before listening: ${output}`);
        output += value;
      }
      const port = Number(output.match(/listening (\d+)/)![1]);
      const client = new MqttClient({ url: `mqtt://127.0.0.1:${port}`, reconnect: false });
      await client.start();
      const echoes = client.subscribe("node/echo", { qos: 1 });
      await echoes;
      await client.publish("node/echo", `from deno to ${runtime}`, { qos: 1 });
      const { value } = await echoes.next();
      assert.equal(new TextDecoder().decode(value!.payload), `from deno to ${runtime}`);
      await echoes.return();
      await client.stop();
      child.kill("SIGTERM");
      for (let chunk = await lines.read(); !chunk.done; chunk = await lines.read()) {
        output += chunk.value;
      }
      assert.equal((await child.status).code, 0);
      assert.match(output, /published 1/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
