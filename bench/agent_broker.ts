/**
 * Throughput and latency through mosquitto (started here, on a free loopback port), for
 * Tern, MQTT.js and the AWS CRT MQTT5 client taking turns round by round:
 *
 * - publisher throughput at QoS 0 and 1, with `mosquitto_sub` (the C library) counting the
 *   messages, and `c_publisher.c` (libmosquitto, the library of mosquitto_pub, compiled here
 *   with gcc) as the broker's ceiling;
 * - one connection publishing to its own subscription at QoS 0 and 1;
 * - QoS 1 CPU per message with every client paced to the same rate;
 * - QoS 1 round trip (publish, PUBACK, echo) p50 / p99, one message at a time.
 *
 *   deno run -A bench/agent_broker.ts [--count 100000] [--rounds 3] [--json] [--out file]
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { allClients, type BenchClient, type Measure, measureOf } from "./_clients.ts";
import { best, jsonOptions, percentile, Report } from "./_report.ts";
import { startBroker } from "../tests/support/broker.ts";
import { compileCPublisher, mosquittoSub, runCPublisher } from "./_mosquitto.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "100000" },
    rounds: { type: "string", default: "3" },
    samples: { type: "string", default: "2000" },
    ...jsonOptions,
  },
});
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
const SAMPLES = Number(values.samples);

// max_inflight_messages is also the Receive Maximum mosquitto announces to MQTT 5 clients:
// at 1000 (the senders' window), both clients may keep 1000 QoS 1 publishes unacknowledged.
// With the default of 20, Tern and the CRT keep to 20 and MQTT.js, which ignores it, to
// 1000: not the same work.
await using broker = await startBroker({
  config: ["log_type subscribe", "max_queued_messages 100000", "max_inflight_messages 1000"],
});
await using cPublisherBinary = await compileCPublisher();
const counter = (topic: string, qos: 0 | 1) => mosquittoSub(broker, topic, qos, COUNT);

const target = { host: "127.0.0.1", port: broker.port, transport: "mqtt" } as const;
const idOf = (client: BenchClient, role: string) =>
  `${client.name.replace(/\W/g, "").toLowerCase()}-${role}`;

async function publisher(client: BenchClient, topic: string, qos: 0 | 1, rate?: number) {
  const session = await client.connect(target, idOf(client, "pub"));
  const sink = await counter(topic, qos);
  const timing = await session.publish(topic, qos, COUNT, { rate, until: sink.done });
  await session.stop();
  return measureOf(timing, COUNT);
}

async function ownSubscription(client: BenchClient, topic: string, qos: 0 | 1) {
  const session = await client.connect(target, idOf(client, "self"));
  const timing = await session.self(topic, qos, COUNT);
  await session.stop();
  return measureOf(timing, COUNT);
}

async function cPublisher(topic: string, qos: 0 | 1): Promise<Measure> {
  const sink = await counter(topic, qos);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await runCPublisher(cPublisherBinary.path, broker, topic, qos, COUNT);
  await sink.done;
  const used = process.cpuUsage(cpu);
  return {
    rate: COUNT / ((performance.now() - start) / 1000),
    cpuMicrosPerMessage: (used.user + used.system) / COUNT,
  };
}

await using all = await allClients();
const { clients } = all;
// CPU per message at the same rate for all, below what any reaches at QoS 1.
const EQUAL_RATE = 20_000;
const report = new Report(
  "agent_broker",
  { count: COUNT, rounds: ROUNDS, payloadBytes: 64, window: 1000, equalRate: EQUAL_RATE },
  ROUNDS * (2 * (clients.length + 1) + 3 * clients.length),
);
const print = values.out === "-" ? console.error : console.log;

/** Runs `run` for every client in turn, ROUNDS times; the runs of each client by name. */
async function interleaved(
  scenario: string,
  run: (client: BenchClient, round: number) => Promise<Measure>,
  extra: { name: string; run: (round: number) => Promise<Measure> }[] = [],
): Promise<Map<string, Measure[]>> {
  const runs = new Map<string, Measure[]>();
  const entrants = [
    ...clients.map((client) => ({ name: client.name, run: (r: number) => run(client, r) })),
    ...extra,
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (const entrant of entrants) {
      report.running(`${scenario} · ${entrant.name} · round ${round + 1}`);
      const measure = await entrant.run(round);
      if (!runs.has(entrant.name)) runs.set(entrant.name, []);
      runs.get(entrant.name)!.push(measure);
      report.round({ scenario, client: entrant.name, round, ...measure });
    }
  }
  return runs;
}

const names = clients.map((client) => client.name);
const rate = (m: Measure) => String(Math.round(m.rate));
const cpu = (m: Measure) => m.cpuMicrosPerMessage.toFixed(2);
const rows = [
  `| through mosquitto | ${
    names.map((n) => `${n} msg/s`).join(" | ")
  } | libmosquitto (C) msg/s | ` +
  `Tern / C ceiling | Tern / MQTT.js | Tern / CRT | ${
    names.map((n) => `${n} CPU µs/msg`).join(" | ")
  } |`,
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
];
const row = (scenario: string, runs: Map<string, Measure[]>, ceiling: number) => {
  const [t, m, c] = names.map((n) => best(runs.get(n)!));
  rows.push(
    `| ${scenario} | ${[t, m, c].map(rate).join(" | ")} | ${Math.round(ceiling)} | ` +
      `${(t.rate / ceiling * 100).toFixed(0)}% | ${(t.rate / m.rate).toFixed(2)}× | ` +
      `${(t.rate / c.rate).toFixed(2)}× | ${[t, m, c].map(cpu).join(" | ")} |`,
  );
};
const cCeiling: number[] = [];
for (const qos of [0, 1] as const) {
  const scenario = `publish QoS ${qos}`;
  const runs = await interleaved(
    scenario,
    (client, round) => publisher(client, `pub/${qos}/${idOf(client, String(round))}`, qos),
    [{ name: "libmosquitto (C)", run: (round) => cPublisher(`pub/${qos}/c/${round}`, qos) }],
  );
  cCeiling[qos] = best(runs.get("libmosquitto (C)")!).rate;
  row(scenario, runs, cCeiling[qos]);
}
for (const qos of [0, 1] as const) {
  const scenario = `own subscription QoS ${qos}`;
  const runs = await interleaved(
    scenario,
    (client, round) => ownSubscription(client, `self/${qos}/${idOf(client, String(round))}`, qos),
  );
  // The broker does the same work per message as for a publisher and its counter at that
  // QoS (one PUBLISH in, one out): the C publisher's rate is the ceiling here too.
  row(scenario, runs, cCeiling[qos]);
}
const equal = await interleaved(
  `QoS 1 paced to ${EQUAL_RATE} msg/s`,
  (client, round) => publisher(client, `equal/${idOf(client, String(round))}`, 1, EQUAL_RATE),
);
const leastCpu = (runs: Measure[]) =>
  runs.reduce((a, b) => (b.cpuMicrosPerMessage < a.cpuMicrosPerMessage ? b : a));
const equalBest = names.map((n) => leastCpu(equal.get(n)!));

const roundTrips: string[] = [];
for (const client of clients) {
  const session = await client.connect(target, idOf(client, "rtt"));
  const samplesMs = await session.roundTrip(`rtt/${idOf(client, "rtt")}`, SAMPLES);
  await session.stop();
  report.latency({ scenario: "QoS 1 round trip", client: client.name, samplesMs });
  const sorted = samplesMs.toSorted((a, b) => a - b);
  roundTrips.push(
    `${client.name} p50 ${percentile(sorted, 0.5).toFixed(3)} ms, p99 ${
      percentile(sorted, 0.99).toFixed(3)
    } ms`,
  );
}
await report.finish({ json: values.json, out: values.out });
const load = report.results.machine;
print(
  `${COUNT} messages of 64 bytes per run, best of ${ROUNDS} (clients in turn); mosquitto ` +
    `${broker.url}; Deno ${Deno.version.deno}; load average ${load.loadAverageAtStart[0]} at ` +
    `start, ${load.loadAverageAtEnd![0]} at end on ${load.cpus} CPUs\n`,
);
print(rows.join("\n"));
print(
  `\nQoS 1 at an equal rate (${EQUAL_RATE} msg/s asked; least CPU of ${ROUNDS} rounds): ` +
    names.map((n, i) =>
      `${n} ${equalBest[i].cpuMicrosPerMessage.toFixed(2)} µs/msg at ${
        Math.round(equalBest[i].rate)
      } msg/s`
    ).join(", ") +
    `; Tern / MQTT.js ${
      (equalBest[0].cpuMicrosPerMessage / equalBest[1].cpuMicrosPerMessage).toFixed(2)
    }×, Tern / CRT ${
      (equalBest[0].cpuMicrosPerMessage / equalBest[2].cpuMicrosPerMessage).toFixed(2)
    }×`,
);
print(
  `\nQoS 1 round trip (publish, PUBACK, echo; ${SAMPLES} in sequence): ${roundTrips.join("; ")}`,
);
