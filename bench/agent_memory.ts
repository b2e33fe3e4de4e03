/**
 * Memory per additional idle connection: opens `--count` connected, idle clients in one
 * process (each run in its own subprocess: Tern and MQTT.js in Deno, the AWS CRT in Node)
 * against a mosquitto started here, and reports the growth of the V8 heap and of the
 * resident set per connection. The CRT keeps its connections in native memory, outside the
 * V8 heap: compare the RSS column.
 *
 *   deno run -A bench/agent_memory.ts [--count 200] [--json] [--out file]
 */
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { MqttClient } from "../packages/agent/mod.ts";
import { startBroker } from "../tests/support/broker.ts";
import { startCrt } from "./_crt.ts";
import { jsonOptions, Report } from "./_report.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "200" },
    lib: { type: "string" },
    url: { type: "string" },
    ...jsonOptions,
  },
});
const COUNT = Number(values.count);

declare const gc: (options: { type: string; execution: string; flavor: string }) => void;

// The GC V8 runs under memory pressure or after a while idle: it compacts the heap and
// gives back the pages it freed, so what stays is what the connections hold. (An ordinary
// full GC leaves the heap committed at its peak, which says more about when the
// measurement was taken than about the connections.)
function collectAll(): void {
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
}

async function settle(): Promise<void> {
  collectAll();
  await new Promise((resolve) => setTimeout(resolve, 200));
  collectAll();
}

if (values.lib) {
  // Child: open COUNT idle connections and print the growth per connection as JSON.
  const url = values.url!;
  const closers: (() => Promise<unknown>)[] = [];
  const open = async () => {
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
    return Deno.memoryUsage();
  };
  // A first batch pays the one-off costs (modules, the WebAssembly codec, heap and
  // allocator growth); the second one's growth is the cost of an additional connection.
  const before = await open();
  const after = await open();
  console.log(JSON.stringify({
    heap: (after.heapUsed - before.heapUsed) / COUNT,
    rss: (after.rss - before.rss) / COUNT,
  }));
  await Promise.all(closers.map((close) => close()));
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
  const report = new Report("agent_memory", { count: COUNT }, 0);
  const kib = (bytes: number) => bytes / 1024;
  const record = (client: string, growth: { heap: number; rss: number }) =>
    report.memory({
      client,
      heapKiBPerConnection: kib(growth.heap),
      rssKiBPerConnection: kib(growth.rss),
    });
  record("Tern", await run("tern"));
  record("MQTT.js", await run("mqttjs"));
  {
    await using crt = await startCrt();
    record("AWS CRT", await crt.idle({ host: "127.0.0.1", port: broker.port }, COUNT));
  }
  await report.finish({ json: values.json, out: values.out });
  const print = values.out === "-" ? console.error : console.log;
  const load = report.results.machine;
  print(
    `${COUNT} idle connections per process, growth per connection after GC; load average ` +
      `${load.loadAverageAtStart[0]} at start on ${load.cpus} CPUs\n`,
  );
  print("| client | V8 heap KiB / connection | RSS KiB / connection |");
  print("| --- | ---: | ---: |");
  for (const m of report.results.memory) {
    print(
      `| ${m.client} | ${m.heapKiBPerConnection.toFixed(1)} | ${
        m.rssKiBPerConnection.toFixed(1)
      } |`,
    );
  }
}
