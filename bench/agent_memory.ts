/**
 * Memory per additional idle connection: opens `--count` connected, idle clients in one
 * process (each run in its own subprocess, Tern and MQTT.js alike) against a mosquitto started
 * here, and reports the growth of the V8 heap and of the resident set per connection.
 *
 *   deno run -A bench/agent_memory.ts [--count 200]
 */
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { MqttClient } from "../packages/agent/mod.ts";
import { startBroker } from "../tests/support/broker.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "200" },
    lib: { type: "string" },
    url: { type: "string" },
  },
});
const COUNT = Number(values.count);

declare const gc: () => void;

function settle(): Promise<void> {
  gc();
  return new Promise((resolve) => setTimeout(resolve, 200));
}

if (values.lib) {
  // Child: open COUNT idle connections and print the growth per connection as JSON.
  const url = values.url!;
  // One connection first, so that one-off costs (modules, the WebAssembly codec) are paid.
  const first = values.lib === "tern"
    ? await (async () => {
      const client = new MqttClient({ url, reconnect: false });
      await client.start();
      return () => client.stop();
    })()
    : await (async () => {
      const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
      return () => client.endAsync();
    })();
  await settle();
  const before = Deno.memoryUsage();
  const closers: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < COUNT; i++) {
    if (values.lib === "tern") {
      const client = new MqttClient({ url, reconnect: false });
      await client.start();
      closers.push(() => client.stop());
    } else {
      const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
      closers.push(() => client.endAsync());
    }
  }
  await settle();
  const after = Deno.memoryUsage();
  console.log(JSON.stringify({
    heap: (after.heapUsed - before.heapUsed) / COUNT,
    rss: (after.rss - before.rss) / COUNT,
  }));
  await Promise.all(closers.map((close) => close()));
  await first();
} else {
  await using broker = await startBroker();
  const run = async (lib: string) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        "--lib",
        lib,
        "--count",
        String(COUNT),
        "--url",
        broker.url,
      ],
      stderr: "inherit",
    }).output();
    return JSON.parse(new TextDecoder().decode(output.stdout)) as { heap: number; rss: number };
  };
  const tern = await run("tern");
  const js = await run("mqttjs");
  const kib = (bytes: number) => (bytes / 1024).toFixed(1);
  console.log(`${COUNT} idle connections per process, growth per connection after GC\n`);
  console.log("| client | V8 heap KiB / connection | RSS KiB / connection |");
  console.log("| --- | ---: | ---: |");
  console.log(`| Tern | ${kib(tern.heap)} | ${kib(tern.rss)} |`);
  console.log(`| MQTT.js | ${kib(js.heap)} | ${kib(js.rss)} |`);
}
