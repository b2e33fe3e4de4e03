/**
 * Throughput and CPU per message over each way into mosquitto (started here with TCP,
 * WebSocket, TLS and mutual-TLS listeners on free loopback ports, certificates made with
 * openssl): `mqtt://` (the baseline), `ws://`, `mqtts://` and `mqtts://` with a client
 * certificate. For Tern, MQTT.js and the AWS CRT MQTT5 client, taking turns round by round:
 *
 * - publish: the client publishes over the transport, `mosquitto_sub` (TCP) counts;
 * - receive: `c_publisher.c` (libmosquitto, TCP) publishes, the client receives over the
 *   transport.
 *
 *   deno run -A bench/agent_transports.ts [--count 100000] [--rounds 3] [--json] [--out file]
 */
import { parseArgs } from "node:util";
import { allClients, type BenchClient, type Measure, measureOf, type Target } from "./_clients.ts";
import { best, jsonOptions, Report } from "./_report.ts";
import { compileCPublisher, mosquittoSub, runCPublisher, subscribed } from "./_mosquitto.ts";
import { startBroker } from "../tests/support/broker.ts";
import { generateCertificates } from "../tests/support/certs.ts";

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
/** A receive that has not finished by then reports what arrived. */
const TIMEOUT_MS = Number(values.timeout) * 1000;

const certs = await generateCertificates();
await using _certs = { [Symbol.asyncDispose]: () => Deno.remove(certs.dir, { recursive: true }) };
// As in agent_broker.ts: a Receive Maximum of 1000 for every client, queues deep enough for
// a whole run, and the subscriptions in the log (to know when a subscriber is ready).
await using broker = await startBroker({
  certificates: certs,
  websocket: true,
  config: ["log_type subscribe", "max_queued_messages 100000", "max_inflight_messages 1000"],
});
await using cPublisher = await compileCPublisher();

const host = "127.0.0.1";
const transports: { name: string; target: Target }[] = [
  { name: "mqtt://", target: { host, port: broker.port, transport: "mqtt" } },
  { name: "ws://", target: { host, port: broker.wsPort!, transport: "ws" } },
  {
    name: "mqtts://",
    target: { host, port: broker.tlsPort!, transport: "mqtts", tls: { ca: certs.caCert } },
  },
  {
    name: "mqtts:// + client certificate",
    target: {
      host,
      port: broker.mtlsPort!,
      transport: "mqtts",
      tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey },
    },
  },
];

const idOf = (client: BenchClient, role: string) =>
  `${client.name.replace(/\W/g, "").toLowerCase()}-${role}`;

async function publish(client: BenchClient, target: Target, topic: string, qos: 0 | 1) {
  const session = await client.connect(target, idOf(client, "pub"));
  const sink = await mosquittoSub(broker, topic, qos, COUNT);
  const timing = await session.publish(topic, qos, COUNT, { until: sink.done });
  await session.stop();
  return measureOf(timing, COUNT);
}

async function receive(client: BenchClient, target: Target, topic: string, qos: 0 | 1) {
  const id = idOf(client, "sub");
  const session = await client.connect(target, id);
  const receiving = session.receive(topic, qos, COUNT, TIMEOUT_MS);
  await subscribed(broker, id, qos, topic);
  await runCPublisher(cPublisher.path, broker, topic, qos, COUNT);
  const timing = await receiving;
  await session.stop();
  return measureOf(timing, COUNT);
}

await using all = await allClients();
const { clients } = all;
const scenarios = [
  { name: "publish QoS 0", run: publish, qos: 0 },
  { name: "publish QoS 1", run: publish, qos: 1 },
  { name: "receive QoS 0", run: receive, qos: 0 },
  { name: "receive QoS 1", run: receive, qos: 1 },
] as const;
const report = new Report(
  "agent_transports",
  { count: COUNT, rounds: ROUNDS, payloadBytes: 64, window: 1000 },
  transports.length * scenarios.length * ROUNDS * clients.length,
);
const print = values.out === "-" ? console.error : console.log;
const names = clients.map((client) => client.name);
const rows = [
  `| transport | scenario | ${names.map((n) => `${n} msg/s`).join(" | ")} | Tern / MQTT.js | ` +
  `Tern / CRT | ${names.map((n) => `${n} CPU µs/msg`).join(" | ")} | CPU MQTT.js / Tern | ` +
  "CPU CRT / Tern |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
];
let topicNumber = 0;
for (const transport of transports) {
  for (const scenario of scenarios) {
    const label = `${scenario.name} over ${transport.name}`;
    const runs = new Map<string, Measure[]>(names.map((n) => [n, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const client of clients) {
        report.running(`${label} · ${client.name} · round ${round + 1}`);
        const topic = `transports/${topicNumber++}`;
        const measure = await scenario.run(client, transport.target, topic, scenario.qos);
        runs.get(client.name)!.push(measure);
        report.round({ scenario: label, client: client.name, round, ...measure });
      }
    }
    const [t, m, c] = names.map((n) => best(runs.get(n)!));
    const cpu = (x: Measure) => x.cpuMicrosPerMessage;
    rows.push(
      `| ${transport.name} | ${scenario.name} | ${
        [t, m, c].map((x) => `${Math.round(x.rate)}${x.note ? ` (${x.note})` : ""}`).join(" | ")
      } | ` +
        `${(t.rate / m.rate).toFixed(2)}× | ${(t.rate / c.rate).toFixed(2)}× | ` +
        `${[t, m, c].map((x) => cpu(x).toFixed(2)).join(" | ")} | ` +
        `${(cpu(m) / cpu(t)).toFixed(2)}× | ${(cpu(c) / cpu(t)).toFixed(2)}× |`,
    );
  }
}
await report.finish({ json: values.json, out: values.out });
const load = report.results.machine;
print(
  `${COUNT} messages of 64 bytes per run, best of ${ROUNDS} (clients in turn); mosquitto; ` +
    `Deno ${Deno.version.deno}; load average ${load.loadAverageAtStart[0]} at start, ` +
    `${load.loadAverageAtEnd![0]} at end on ${load.cpus} CPUs\n`,
);
print(rows.join("\n"));
