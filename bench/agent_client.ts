/**
 * Client-alone throughput: Tern's MqttClient, MQTT.js (npm:mqtt@5) and the AWS CRT MQTT5
 * client (native C, in a Node process: `_crt.ts`) against the same minimal loopback peer
 * (`agent_peer.ts`, its own process), receiving a stream of QoS 0 / 1 PUBLISH packets and
 * sending them. Reports messages per second and client CPU time per message (user + system
 * of the client's process), the best of `--rounds` runs each; the three clients take turns
 * round by round. Sending keeps 1000 publishes outstanding at a time.
 *
 *   deno run -A bench/agent_client.ts [--count 100000] [--rounds 3] [--json] [--out file]
 */
import { parseArgs } from "node:util";
import { allClients, type Measure, measureOf } from "./_clients.ts";
import { best, jsonOptions, Report } from "./_report.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "100000" },
    rounds: { type: "string", default: "3" },
    timeout: { type: "string", default: "60" },
    ...jsonOptions,
  },
});
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
// A receive that has not finished by then reports what arrived (the CRT's QoS 1 receive
// slows down without bound on this workload: see RESULTS.md).
const TIMEOUT_MS = Number(values.timeout) * 1000;

interface Peer {
  port: number;
  stop(): Promise<void>;
}

async function startPeer(mode: "stream" | "sink", qos: 0 | 1): Promise<Peer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("agent_peer.ts", import.meta.url).pathname,
      "--mode",
      mode,
      "--qos",
      String(qos),
      "--count",
      String(COUNT),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("Cannot start the benchmark peer: it exited");
    text += value;
  }
  reader.releaseLock();
  const port = Number(/listening (\d+)/.exec(text)![1]);
  return {
    port,
    async stop() {
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

type Scenario = { name: string; mode: "stream" | "sink"; qos: 0 | 1 };
const scenarios: Scenario[] = [
  { name: "receive QoS 0", mode: "stream", qos: 0 },
  { name: "receive QoS 1", mode: "stream", qos: 1 },
  { name: "send QoS 0", mode: "sink", qos: 0 },
  { name: "send QoS 1", mode: "sink", qos: 1 },
];

await using all = await allClients();
const { clients } = all;
const report = new Report(
  "agent_client",
  { count: COUNT, rounds: ROUNDS, payloadBytes: 64, window: 1000 },
  scenarios.length * ROUNDS * clients.length,
);
const print = values.out === "-" ? console.error : console.log;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const rateCell = (m: Measure) => `${Math.round(m.rate)}${m.note ? ` (${m.note})` : ""}`;
const rows: string[] = [
  "| scenario | Tern msg/s | MQTT.js msg/s | AWS CRT msg/s | Tern / MQTT.js | Tern / CRT | Tern CPU µs/msg | MQTT.js CPU µs/msg | CRT CPU µs/msg | CPU ratio MQTT.js / Tern | CPU ratio CRT / Tern |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (const scenario of scenarios) {
  const peer = await startPeer(scenario.mode, scenario.qos);
  const runs = new Map<string, Measure[]>(clients.map(({ name }) => [name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const client of clients) {
        report.running(`${scenario.name} · ${client.name} · round ${round + 1}`);
        const session = await client.connect(
          { host: "127.0.0.1", port: peer.port, transport: "mqtt" },
          `${client.name.replace(/\W/g, "").toLowerCase()}-bench`,
        );
        const measure = measureOf(
          scenario.mode === "stream"
            ? await session.receive("bench/#", scenario.qos, COUNT, TIMEOUT_MS)
            : await session.publish("bench/sink", scenario.qos, COUNT),
          COUNT,
        );
        await session.stop();
        runs.get(client.name)!.push(measure);
        report.round({ scenario: scenario.name, client: client.name, round, ...measure });
      }
    }
  } finally {
    await peer.stop();
  }
  const [t, m, c] = clients.map(({ name }) => best(runs.get(name)!));
  rows.push(
    `| ${scenario.name} | ${[t, m, c].map(rateCell).join(" | ")} | ` +
      `${ratio(t.rate, m.rate)} | ${ratio(t.rate, c.rate)} | ` +
      `${t.cpuMicrosPerMessage.toFixed(2)} | ${m.cpuMicrosPerMessage.toFixed(2)} | ` +
      `${c.cpuMicrosPerMessage.toFixed(2)} | ` +
      `${ratio(m.cpuMicrosPerMessage, t.cpuMicrosPerMessage)} | ` +
      `${ratio(c.cpuMicrosPerMessage, t.cpuMicrosPerMessage)} |`,
  );
}
await report.finish({ json: values.json, out: values.out });
const load = report.results.machine;
print(
  `${COUNT} messages of 64 bytes per run, best of ${ROUNDS} runs (clients in turn), ` +
    `Deno ${Deno.version.deno}; load average ${load.loadAverageAtStart[0]} at start, ` +
    `${load.loadAverageAtEnd![0]} at end on ${load.cpus} CPUs\n`,
);
print(rows.join("\n"));
