/**
 * Throughput and latency through mosquitto (started here, on a free loopback port):
 *
 * - publisher throughput at QoS 0 and 1, with `mosquitto_sub` (the C library) counting the
 *   messages: Tern, MQTT.js, and `c_publisher.c` (libmosquitto, the library of
 *   mosquitto_pub, compiled here with gcc) as the broker's ceiling;
 * - one connection publishing to its own subscription at QoS 0 and 1 (Tern vs MQTT.js);
 * - QoS 1 CPU per message with both clients paced to the same rate;
 * - QoS 1 round trip (publish, PUBACK, echo) p50 / p99, one message at a time.
 *
 *   deno run -A bench/agent_broker.ts [--count 100000] [--rounds 3]
 */
import { parseArgs } from "node:util";
import process from "node:process";
import mqtt from "mqtt";
import { paced, windowed } from "./_load.mjs";
import { MqttClient } from "../packages/agent/mod.ts";
import { startBroker } from "../tests/support/broker.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "100000" },
    rounds: { type: "string", default: "3" },
  },
});
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
const PAYLOAD = new Uint8Array(64).fill(0x63);

// max_inflight_messages is also the Receive Maximum mosquitto announces to MQTT 5 clients:
// at 1000 (the senders' window), both clients may keep 1000 QoS 1 publishes unacknowledged.
// With the default of 20, Tern keeps to 20 and MQTT.js, which ignores it, to 1000: not the
// same work.
await using broker = await startBroker({
  config: ["log_type subscribe", "max_queued_messages 100000", "max_inflight_messages 1000"],
});
const host = ["-h", "127.0.0.1", "-p", String(broker.port)];
await using cPublisherBinary = await compileCPublisher();

/** Builds c_publisher.c against the libmosquitto that mosquitto-clients installs. */
async function compileCPublisher(): Promise<{ path: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "tern-bench-" });
  const path = `${dir}/c_publisher`;
  const source = new URL("c_publisher.c", import.meta.url).pathname;
  const built = await new Deno.Command("gcc", {
    args: ["-O2", "-o", path, source, "-l:libmosquitto.so.1"],
    stderr: "piped",
  }).output().catch((error) => {
    throw new Error("Cannot build the C reference publisher: gcc is missing", { cause: error });
  });
  if (!built.success) {
    throw new Error(
      `Cannot build the C reference publisher (needs gcc and libmosquitto1): ${
        new TextDecoder().decode(built.stderr)
      }`,
    );
  }
  return { path, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** Starts mosquitto_sub for COUNT messages; resolves once it subscribed, then when done. */
async function counter(topic: string, qos: 0 | 1): Promise<{ done: Promise<void> }> {
  const id = `counter-${crypto.randomUUID().slice(0, 8)}`;
  const child = new Deno.Command("mosquitto_sub", {
    args: [
      ...host,
      "-V",
      "5",
      "-i",
      id,
      "-t",
      topic,
      "-q",
      String(qos),
      "-C",
      String(COUNT),
      "-F",
      "%l",
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  // Subscribed once the broker lists the subscription in its log.
  while (!(await broker.log()).includes(`${id} ${qos} ${topic}`)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    done: child.status.then((status) => {
      if (!status.success) throw new Error("mosquitto_sub failed");
    }),
  };
}

async function timed(run: () => Promise<unknown>): Promise<{ rate: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return {
    rate: COUNT / ((performance.now() - start) / 1000),
    cpu: (used.user + used.system) / COUNT,
  };
}

async function ternPublisher(topic: string, qos: 0 | 1, rate?: number) {
  const client = new MqttClient({ url: broker.url, clientId: "tern-pub", reconnect: false });
  await client.start();
  const sink = await counter(topic, qos);
  const result = await timed(async () => {
    const publish = () => client.publish(topic, PAYLOAD, { qos });
    await (rate ? paced(COUNT, publish, rate) : windowed(COUNT, publish));
    await sink.done;
  });
  await client.stop();
  return result;
}

async function mqttJsPublisher(topic: string, qos: 0 | 1, rate?: number) {
  const client = await mqtt.connectAsync(broker.url, {
    protocolVersion: 5,
    clientId: "mqttjs-pub",
    reconnectPeriod: 0,
  });
  const sink = await counter(topic, qos);
  const payload = Buffer.from(PAYLOAD);
  const result = await timed(async () => {
    const publish = () => client.publishAsync(topic, payload, { qos });
    await (rate ? paced(COUNT, publish, rate) : windowed(COUNT, publish));
    await sink.done;
  });
  await client.endAsync();
  return result;
}

async function cPublisher(topic: string, qos: 0 | 1) {
  const sink = await counter(topic, qos);
  return await timed(async () => {
    const args = ["127.0.0.1", String(broker.port), topic, String(qos), String(COUNT), "64"];
    const status = await new Deno.Command(cPublisherBinary.path, { args, stderr: "inherit" })
      .spawn().status;
    if (!status.success) throw new Error("c_publisher failed");
    await sink.done;
  });
}

async function ternSelf(topic: string, qos: 0 | 1) {
  const client = new MqttClient({ url: broker.url, clientId: "tern-self", reconnect: false });
  let received = 0;
  const done = Promise.withResolvers<void>();
  client.on("message", () => ++received === COUNT && done.resolve());
  await client.start();
  await client.sendSubscribe(topic, { qos });
  const result = await timed(async () => {
    await windowed(COUNT, () => client.publish(topic, PAYLOAD, { qos }));
    await done.promise;
  });
  await client.stop();
  return result;
}

async function mqttJsSelf(topic: string, qos: 0 | 1) {
  const client = await mqtt.connectAsync(broker.url, {
    protocolVersion: 5,
    clientId: "mqttjs-self",
    reconnectPeriod: 0,
  });
  let received = 0;
  const done = Promise.withResolvers<void>();
  client.on("message", () => ++received === COUNT && done.resolve());
  await client.subscribeAsync(topic, { qos });
  const payload = Buffer.from(PAYLOAD);
  const result = await timed(async () => {
    await windowed(COUNT, () => client.publishAsync(topic, payload, { qos }));
    await done.promise;
  });
  await client.endAsync();
  return result;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function roundTrip(samples: number) {
  const measure = async (
    publish: (i: number) => Promise<unknown>,
    onMessage: (fn: () => void) => void,
  ) => {
    let resolveEcho = () => {};
    onMessage(() => resolveEcho());
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const echo = new Promise<void>((resolve) => resolveEcho = resolve);
      const start = performance.now();
      await publish(i);
      await echo;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
  };
  const tern = new MqttClient({ url: broker.url, clientId: "tern-rtt", reconnect: false });
  await tern.start();
  await tern.sendSubscribe("rtt/tern", { qos: 1 });
  const ternResult = await measure(
    () => tern.publish("rtt/tern", PAYLOAD, { qos: 1 }),
    (fn) => tern.on("message", fn),
  );
  await tern.stop();
  const js = await mqtt.connectAsync(broker.url, {
    protocolVersion: 5,
    clientId: "mqttjs-rtt",
    reconnectPeriod: 0,
  });
  await js.subscribeAsync("rtt/js", { qos: 1 });
  const jsResult = await measure(
    () => js.publishAsync("rtt/js", Buffer.from(PAYLOAD), { qos: 1 }),
    (fn) => js.on("message", fn),
  );
  await js.endAsync();
  return { tern: ternResult, js: jsResult };
}

const best = <T extends { rate: number }>(runs: T[]) =>
  runs.reduce((a, b) => (b.rate > a.rate ? b : a));
const rows = [
  "| through mosquitto | Tern msg/s | MQTT.js msg/s | libmosquitto (C) msg/s | Tern / C ceiling | Tern / MQTT.js | Tern CPU µs/msg | MQTT.js CPU µs/msg |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
];
const cCeiling: number[] = [];
for (const qos of [0, 1] as const) {
  const t = [], m = [], c = [];
  for (let round = 0; round < ROUNDS; round++) {
    t.push(await ternPublisher(`pub/${qos}/tern/${round}`, qos));
    m.push(await mqttJsPublisher(`pub/${qos}/js/${round}`, qos));
    c.push(await cPublisher(`pub/${qos}/c/${round}`, qos));
  }
  const [bt, bm] = [best(t), best(m)];
  const bc = best(c);
  cCeiling[qos] = bc.rate;
  rows.push(
    `| publish QoS ${qos} | ${Math.round(bt.rate)} | ${Math.round(bm.rate)} | ` +
      `${Math.round(bc.rate)} | ${(bt.rate / bc.rate * 100).toFixed(0)}% | ` +
      `${(bt.rate / bm.rate).toFixed(2)}× | ${bt.cpu.toFixed(2)} | ${bm.cpu.toFixed(2)} |`,
  );
  console.error(rows.at(-1));
}
for (const qos of [0, 1] as const) {
  const t = [], m = [];
  for (let round = 0; round < ROUNDS; round++) {
    t.push(await ternSelf(`self/${qos}/tern/${round}`, qos));
    m.push(await mqttJsSelf(`self/${qos}/js/${round}`, qos));
  }
  const [bt, bm] = [best(t), best(m)];
  // The broker does the same work per message as for a publisher and its counter at that
  // QoS (one PUBLISH in, one out): the C publisher's rate is the ceiling here too.
  const ceiling = cCeiling[qos];
  rows.push(
    `| own subscription QoS ${qos} | ${Math.round(bt.rate)} | ${Math.round(bm.rate)} | ${
      Math.round(ceiling)
    } | ${(bt.rate / ceiling * 100).toFixed(0)}% | ${(bt.rate / bm.rate).toFixed(2)}× | ${
      bt.cpu.toFixed(2)
    } | ${bm.cpu.toFixed(2)} |`,
  );
  console.error(rows.at(-1));
}
// CPU per message at the same rate for both, below what either reaches at QoS 1.
const EQUAL_RATE = 20_000;
type Measured = { cpu: number; rate: number };
const equal: { tern: Measured[]; js: Measured[] } = { tern: [], js: [] };
for (let round = 0; round < ROUNDS; round++) {
  equal.tern.push(await ternPublisher(`equal/tern/${round}`, 1, EQUAL_RATE));
  equal.js.push(await mqttJsPublisher(`equal/js/${round}`, 1, EQUAL_RATE));
}
const leastCpu = (runs: Measured[]) => runs.reduce((a, b) => (b.cpu < a.cpu ? b : a));
const [equalTern, equalJs] = [leastCpu(equal.tern), leastCpu(equal.js)];
const rtt = await roundTrip(2000);
console.log(
  `${COUNT} messages of 64 bytes per run, best of ${ROUNDS}; mosquitto ${broker.url}; Deno ${Deno.version.deno}\n`,
);
console.log(rows.join("\n"));
console.log(
  `\nQoS 1 at an equal rate (${EQUAL_RATE} msg/s asked; Tern ${Math.round(equalTern.rate)}, ` +
    `MQTT.js ${Math.round(equalJs.rate)} reached): Tern CPU ${equalTern.cpu.toFixed(2)} µs/msg, ` +
    `MQTT.js ${equalJs.cpu.toFixed(2)} µs/msg, ratio ${(equalTern.cpu / equalJs.cpu).toFixed(2)}×`,
);
console.log(
  `\nQoS 1 round trip (publish, PUBACK, echo; 2000 in sequence): Tern p50 ${
    rtt.tern.p50.toFixed(3)
  } ms, ` +
    `p99 ${rtt.tern.p99.toFixed(3)} ms; MQTT.js p50 ${rtt.js.p50.toFixed(3)} ms, p99 ${
      rtt.js.p99.toFixed(3)
    } ms`,
);
