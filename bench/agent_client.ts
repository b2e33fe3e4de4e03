/**
 * Client-alone throughput: Tern's MqttClient and MQTT.js (npm:mqtt@5) against the same
 * minimal loopback peer (`agent_peer.ts`, its own process), receiving a stream of QoS 0 / 1
 * PUBLISH packets and sending them. Reports messages per second and client CPU time per
 * message (user + system of this process), the best of `--rounds` runs each. Sending keeps
 * 1000 publishes outstanding at a time.
 *
 *   deno run -A bench/agent_client.ts [--count 100000] [--rounds 3]
 */
import { parseArgs } from "node:util";
import process from "node:process";
import mqtt from "mqtt";
import { windowed } from "./_load.ts";
import { MqttClient } from "../packages/agent/mod.ts";
import { tcp } from "../packages/transport/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "100000" },
    rounds: { type: "string", default: "3" },
  },
});
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
const PAYLOAD = new Uint8Array(64).fill(0x62);

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

interface Measure {
  rate: number;
  cpuMicrosPerMessage: number;
}

async function measure(run: () => Promise<void>): Promise<Measure> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { rate: COUNT / seconds, cpuMicrosPerMessage: (used.user + used.system) / COUNT };
}

type Scenario = { name: string; mode: "stream" | "sink"; qos: 0 | 1 };
const scenarios: Scenario[] = [
  { name: "receive QoS 0", mode: "stream", qos: 0 },
  { name: "receive QoS 1", mode: "stream", qos: 1 },
  { name: "send QoS 0", mode: "sink", qos: 0 },
  { name: "send QoS 1", mode: "sink", qos: 1 },
];

async function tern(scenario: Scenario, port: number): Promise<Measure> {
  const client = new MqttClient({
    transport: tcp({ hostname: "127.0.0.1", port }),
    clientId: "tern-bench",
    reconnect: false,
  });
  await client.start();
  let result: Measure;
  if (scenario.mode === "stream") {
    const done = Promise.withResolvers<void>();
    let received = 0;
    client.on("message", () => {
      if (++received === COUNT) done.resolve();
    });
    result = await measure(async () => {
      await client.sendSubscribe("bench/#", { qos: scenario.qos });
      await done.promise;
    });
  } else {
    result = await measure(() =>
      windowed(COUNT, () => client.publish("bench/sink", PAYLOAD, { qos: scenario.qos }))
    );
  }
  await client.stop();
  return result;
}

async function mqttJs(scenario: Scenario, port: number): Promise<Measure> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 5,
    clientId: "mqttjs-bench",
    reconnectPeriod: 0,
  });
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
  });
  let result: Measure;
  if (scenario.mode === "stream") {
    const done = Promise.withResolvers<void>();
    let received = 0;
    client.on("message", () => {
      if (++received === COUNT) done.resolve();
    });
    result = await measure(async () => {
      await client.subscribeAsync("bench/#", { qos: scenario.qos });
      await done.promise;
    });
  } else {
    const payload = Buffer.from(PAYLOAD);
    result = await measure(() =>
      windowed(COUNT, () => client.publishAsync("bench/sink", payload, { qos: scenario.qos }))
    );
  }
  await client.endAsync();
  return result;
}

const best = (runs: Measure[]): Measure => runs.reduce((a, b) => (b.rate > a.rate ? b : a));

const rows: string[] = [
  "| scenario | Tern msg/s | MQTT.js msg/s | speed ratio | Tern CPU µs/msg | MQTT.js CPU µs/msg | CPU ratio |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (const scenario of scenarios) {
  const peer = await startPeer(scenario.mode, scenario.qos);
  const ternRuns: Measure[] = [];
  const mqttRuns: Measure[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      ternRuns.push(await tern(scenario, peer.port));
      mqttRuns.push(await mqttJs(scenario, peer.port));
    }
  } finally {
    await peer.stop();
  }
  const t = best(ternRuns);
  const m = best(mqttRuns);
  rows.push(
    `| ${scenario.name} | ${Math.round(t.rate)} | ${Math.round(m.rate)} | ${
      (t.rate / m.rate).toFixed(2)
    }× | ` +
      `${t.cpuMicrosPerMessage.toFixed(2)} | ${m.cpuMicrosPerMessage.toFixed(2)} | ` +
      `${(m.cpuMicrosPerMessage / t.cpuMicrosPerMessage).toFixed(2)}× |`,
  );
  console.error(rows.at(-1));
}
console.log(
  `${COUNT} messages of 64 bytes per run, best of ${ROUNDS} runs, Deno ${Deno.version.deno}\n`,
);
console.log(rows.join("\n"));
