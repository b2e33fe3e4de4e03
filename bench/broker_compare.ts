/**
 * The embedded broker (`@tern/broker`) against mosquitto and aedes: one publisher, one
 * subscriber, 64-byte payloads, MQTT 3.1.1, QoS 0 and QoS 1. Each broker runs in its own
 * process (so its CPU time can be read from /proc); the clients are one raw codec-based
 * load generator here, the same for all three, that keeps at most 1000 messages between
 * publisher and subscriber. Then the broker's resident memory per idle connection, for
 * 1,000 connections.
 *
 *   deno run -A bench/broker_compare.ts [--count 100000] [--rounds 3]
 */
import { parseArgs } from "node:util";
import { Decoder, encode, encodeAll, type Packet, type PublishPacket } from "@tern/codec";
import { freePort, waitForPort } from "../tests/support/free_port.ts";
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
const WINDOW = 1000;
const BATCH = 100;
const TICKS = 100; // clock ticks per second of /proc/PID/stat on Linux

interface Running {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function spawnDeno(name: string, args: string[], port: number): Promise<Running> {
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "inherit" })
    .spawn();
  await waitForPort(port);
  return {
    name,
    port,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

async function embedded(): Promise<Running> {
  const port = freePort();
  return await spawnDeno("@tern/broker", [
    "run",
    "-A",
    new URL("../packages/broker/main.ts", import.meta.url).pathname,
    "--port",
    String(port),
    "--quiet",
    "--max-inflight",
    "1000",
    "--max-queued-messages",
    "100000",
  ], port);
}

async function aedes(): Promise<Running> {
  const port = freePort();
  return await spawnDeno("aedes 1.2.0", [
    "run",
    "-A",
    new URL("./_aedes_server.ts", import.meta.url).pathname,
    String(port),
  ], port);
}

async function mosquitto(): Promise<Running> {
  const broker = await startBroker({
    config: ["max_queued_messages 100000", "max_inflight_messages 1000"],
  });
  return { name: "mosquitto", port: broker.port, pid: broker.pid, stop: () => broker.stop() };
}

function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
}

function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) * 1024;
}

/** A raw MQTT 3.1.1 connection: write packets, get every decoded packet through `onPacket`. */
async function open(port: number, clientId: string, onPacket: (packet: Packet) => void) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const decoder = new Decoder({ version: 4 });
  const connack = Promise.withResolvers<void>();
  let connected = false;
  const reading = (async () => {
    const buffer = new Uint8Array(256 * 1024);
    for (;;) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) return;
      for (const packet of decoder.push(buffer.subarray(0, n))) {
        if (!connected && packet.type === "connack") {
          connected = true;
          connack.resolve();
        } else onPacket(packet);
      }
    }
  })();
  const write = async (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
  };
  await write(
    encode({ type: "connect", clientId, cleanStart: true, keepAlive: 0 }, { version: 4 }),
  );
  await connack.promise;
  return {
    write,
    async close() {
      await write(encode({ type: "disconnect" }, { version: 4 })).catch(() => {});
      conn.close();
      await reading;
    },
  };
}

async function throughput(broker: Running, qos: 0 | 1): Promise<{ rate: number; cpuUs: number }> {
  let received = 0;
  let wake: (() => void) | undefined;
  const acks: Packet[] = [];
  const subscribed = Promise.withResolvers<void>();
  const sub = await open(broker.port, `sub-${qos}`, (packet) => {
    if (packet.type === "suback") return subscribed.resolve();
    if (packet.type !== "publish") return;
    received++;
    if (packet.qos === 1) acks.push({ type: "puback", packetId: packet.packetId! });
    wake?.();
  });
  await sub.write(encode({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "bench/t", qos }],
  }, { version: 4 }));
  await subscribed.promise;
  const ackLoop = setInterval(() => {
    if (acks.length > 0) sub.write(encodeAll(acks.splice(0), { version: 4 })).catch(() => {});
  }, 1);
  const pub = await open(broker.port, `pub-${qos}`, () => {});
  const payload = new Uint8Array(64).fill(0x63);
  let packetId = 0;
  const next = (): PublishPacket => ({
    type: "publish",
    topic: "bench/t",
    payload,
    qos,
    retain: false,
    dup: false,
    packetId: qos === 0 ? undefined : (packetId = packetId % 65535 + 1),
  });
  const cpuBefore = cpuSeconds(broker.pid);
  const start = performance.now();
  for (let sent = 0; sent < COUNT;) {
    while (sent - received >= WINDOW) await new Promise<void>((resolve) => wake = resolve);
    const n = Math.min(BATCH, COUNT - sent, WINDOW - (sent - received));
    await pub.write(encodeAll(Array.from({ length: n }, next), { version: 4 }));
    sent += n;
  }
  while (received < COUNT) await new Promise<void>((resolve) => wake = resolve);
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuSeconds(broker.pid) - cpuBefore;
  clearInterval(ackLoop);
  await pub.close();
  await sub.close();
  return { rate: COUNT / seconds, cpuUs: (cpu / COUNT) * 1e6 };
}

async function idleMemory(broker: Running): Promise<number> {
  const before = rssBytes(broker.pid);
  const clients = [];
  for (let i = 0; i < 1000; i++) clients.push(await open(broker.port, `idle-${i}`, () => {}));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = rssBytes(broker.pid);
  await Promise.all(clients.map((client) => client.close()));
  return (after - before) / 1000;
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows: string[] = [];
for (const start of [embedded, mosquitto, aedes]) {
  const broker = await start();
  try {
    await throughput(broker, 0); // warm-up
    const results: Record<number, { rate: number; cpuUs: number }[]> = { 0: [], 1: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const qos of [0, 1] as const) results[qos].push(await throughput(broker, qos));
    }
    const memory = await idleMemory(broker);
    const cell = (qos: 0 | 1) =>
      `${Math.round(median(results[qos].map((r) => r.rate))).toLocaleString("en")} | ` +
      `${median(results[qos].map((r) => r.cpuUs)).toFixed(1)}`;
    rows.push(`| ${broker.name} | ${cell(0)} | ${cell(1)} | ${(memory / 1024).toFixed(1)} |`);
    console.log(rows.at(-1));
  } finally {
    await broker.stop();
  }
}
console.log(
  "\n| broker | QoS 0 msg/s | QoS 0 broker CPU µs/msg | QoS 1 msg/s | QoS 1 broker CPU µs/msg | KiB per idle connection |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
