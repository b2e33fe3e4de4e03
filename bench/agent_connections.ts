/**
 * Many connections in one process: `--count` clients (10,000 by default) connect to a
 * mosquitto started here (`max_connections -1`; both processes need `ulimit -n` above the
 * count), `--parallel` at a time. Reports the time to connect them all, the growth of the
 * resident set and of the V8 heap per connection after a full GC, and the CPU the process
 * spends while they sit idle for `--idle` seconds with a keep-alive of `--keep-alive`
 * seconds (each client sends a PINGREQ every interval). Tern, MQTT.js and the AWS CRT, each
 * in a process of its own.
 *
 *   deno run -A bench/agent_connections.ts [--count 10000] [--parallel 100] \
 *     [--keep-alive 10] [--idle 30] [--json] [--out file]
 */
import { parseArgs } from "node:util";
import process from "node:process";
import mqtt from "mqtt";
import { MqttClient } from "../packages/agent/mod.ts";
import { startBroker } from "../tests/support/broker.ts";
import { startCrt } from "./_crt.ts";
import { jsonOptions, Report } from "./_report.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "10000" },
    parallel: { type: "string", default: "100" },
    "keep-alive": { type: "string", default: "10" },
    idle: { type: "string", default: "30" },
    lib: { type: "string" },
    port: { type: "string" },
    ...jsonOptions,
  },
});
const COUNT = Number(values.count);
const PARALLEL = Number(values.parallel);
const KEEP_ALIVE = Number(values["keep-alive"]);
const IDLE_MS = Number(values.idle) * 1000;

/** What one process reports. */
interface Crowd {
  connectMs: number;
  rssKiBPerConnection: number;
  heapKiBPerConnection: number;
  idleCpuPercent: number;
}

declare const gc: (options: { type: string; execution: string; flavor: string }) => void;

async function settle(): Promise<void> {
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  await new Promise((resolve) => setTimeout(resolve, 500));
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
}

/** Opens COUNT connections with `open`, PARALLEL at a time, and measures them. */
async function crowd(open: (i: number) => Promise<() => Promise<unknown>>): Promise<Crowd> {
  await settle();
  const before = Deno.memoryUsage();
  const closers: (() => Promise<unknown>)[] = [];
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < COUNT) closers.push(await open(next++));
    }),
  );
  const connectMs = performance.now() - start;
  await settle();
  const after = Deno.memoryUsage();
  const cpu = process.cpuUsage();
  const idleStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const used = process.cpuUsage(cpu);
  const idleCpuPercent = (used.user + used.system) / 10 / (performance.now() - idleStart);
  await Promise.all(closers.map((close) => close()));
  return {
    connectMs,
    rssKiBPerConnection: (after.rss - before.rss) / 1024 / COUNT,
    heapKiBPerConnection: (after.heapUsed - before.heapUsed) / 1024 / COUNT,
    idleCpuPercent,
  };
}

function openFilesLimit(): number {
  const limits = Deno.readTextFileSync("/proc/self/limits");
  return Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? 0);
}

if (values.lib) {
  // Child: one library's crowd, printed as JSON.
  const url = `mqtt://127.0.0.1:${values.port}`;
  const result = await crowd(async (i) => {
    if (values.lib === "tern") {
      const client = new MqttClient({
        url,
        clientId: `tern-${i}`,
        keepAlive: KEEP_ALIVE,
        reconnect: false,
      });
      await client.start();
      return () => client.stop();
    }
    const client = await mqtt.connectAsync(url, {
      clientId: `mqttjs-${i}`,
      keepalive: KEEP_ALIVE,
      reconnectPeriod: 0,
    });
    return () => client.endAsync();
  });
  console.log(JSON.stringify(result));
} else {
  // Each process holds COUNT sockets, and mosquitto as many.
  const limit = openFilesLimit();
  if (limit < COUNT + 100) {
    throw new Error(
      `Cannot open ${COUNT} connections: the open files limit is ${limit} ` +
        `(raise it with ulimit -n ${COUNT + 1000} before running this script)`,
    );
  }
  await using broker = await startBroker({ config: ["max_connections -1"] });
  const report = new Report(
    "agent_connections",
    { count: COUNT, parallel: PARALLEL, keepAliveSeconds: KEEP_ALIVE, idleSeconds: IDLE_MS / 1000 },
    0,
  );
  const child = async (lib: string): Promise<Crowd> => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        ...["--lib", lib, "--port", String(broker.port), "--count", String(COUNT)],
        ...["--parallel", String(PARALLEL), "--keep-alive", String(KEEP_ALIVE)],
        ...["--idle", String(IDLE_MS / 1000)],
      ],
      stderr: "inherit",
    }).output();
    if (!output.success) throw new Error(`The ${lib} crowd failed`);
    return JSON.parse(new TextDecoder().decode(output.stdout));
  };
  const results: [string, Crowd][] = [];
  const record = (client: string, result: Crowd) => {
    results.push([client, result]);
    report.memory({
      client,
      heapKiBPerConnection: result.heapKiBPerConnection,
      rssKiBPerConnection: result.rssKiBPerConnection,
    });
    report.progress(
      `${client}: ${COUNT} connected in ${(result.connectMs / 1000).toFixed(1)} s, ` +
        `idle CPU ${result.idleCpuPercent.toFixed(1)} %`,
    );
  };
  record("Tern", await child("tern"));
  record("MQTT.js", await child("mqttjs"));
  {
    await using crt = await startCrt();
    record(
      "AWS CRT",
      await crt.crowd({ host: "127.0.0.1", port: broker.port }, {
        count: COUNT,
        parallel: PARALLEL,
        keepAliveSeconds: KEEP_ALIVE,
        idleMs: IDLE_MS,
      }),
    );
  }
  report.results.settings.crowds = Object.fromEntries(results);
  await report.finish({ json: values.json, out: values.out });
  const print = values.out === "-" ? console.error : console.log;
  const load = report.results.machine;
  print(
    `${COUNT} connections in one process, ${PARALLEL} connecting at a time; keep-alive ` +
      `${KEEP_ALIVE} s, idle for ${IDLE_MS / 1000} s; load average ` +
      `${load.loadAverageAtStart[0]} at start on ${load.cpus} CPUs\n`,
  );
  print(
    "| client | connect all (s) | connections/s | RSS KiB / connection | V8 heap KiB / connection | idle CPU (% of a core) |",
  );
  print("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const [client, r] of results) {
    print(
      `| ${client} | ${(r.connectMs / 1000).toFixed(1)} | ${
        Math.round(COUNT / (r.connectMs / 1000))
      } | ${r.rssKiBPerConnection.toFixed(1)} | ${r.heapKiBPerConnection.toFixed(1)} | ${
        r.idleCpuPercent.toFixed(1)
      } |`,
    );
  }
}
