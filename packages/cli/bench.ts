/**
 * `tern bench`: publishers → subscribers through any broker. Each of `--connections` pairs
 * is a publisher and a subscriber on their own connections and topic; every payload carries
 * its pair, sequence number and send time, so the subscriber measures latency and finds
 * gaps (lost) and repeats (duplicates). A line per second on stderr, a summary at the end.
 *
 * @module
 */
import type { MqttClient, QoS } from "@tern/agent";
import { helpText, integer, type OptionSpec, parseArgs } from "./_args.ts";
import { type Summary, summaryJson, summaryText, tickLine } from "./_bench_report.ts";
import { startClient } from "./_client.ts";
import { type Command, runCommand } from "./_command.ts";
import { CONNECTION_OPTIONS, connectionOf, qosOf } from "./_connection.ts";
import { failure, usage } from "./_errors.ts";
import { Histogram } from "./_histogram.ts";
import { parseProperties } from "./_properties.ts";

/** Pair (u32), sequence number (u32), send time (f64, performance.now()). */
const HEADER_BYTES = 16;
/** How long the end of a run waits for messages still on their way, without progress. */
const DRAIN_IDLE_MS = 2000;

const OPTIONS: OptionSpec[] = [
  {
    names: ["-t", "--topic"],
    key: "topic",
    kind: "value",
    arg: "topic",
    help: "topic prefix (default tern/bench/<random>)",
  },
  {
    names: ["-q", "--qos"],
    key: "qos",
    kind: "value",
    arg: "qos",
    help: "QoS of publishes and subscriptions (default 0)",
  },
  {
    names: ["-s", "--size"],
    key: "size",
    kind: "value",
    arg: "bytes",
    help: `payload size, at least ${HEADER_BYTES} (default 64)`,
  },
  {
    names: ["-n", "--count"],
    key: "count",
    kind: "value",
    arg: "count",
    help: "messages in all (default 10000)",
  },
  {
    names: ["-d", "--duration"],
    key: "duration",
    kind: "value",
    arg: "seconds",
    help: "publish for this long instead of -n",
  },
  {
    names: ["--connections"],
    key: "connections",
    kind: "value",
    arg: "n",
    help: "publisher/subscriber pairs (default 1)",
  },
  {
    names: ["-w", "--window"],
    key: "window",
    kind: "value",
    arg: "n",
    help: "publishes outstanding per publisher (default 100)",
  },
  { names: ["--json"], key: "json", kind: "flag", help: "print the summary as one JSON object" },
  ...CONNECTION_OPTIONS,
  {
    names: ["-D", "--property"],
    key: "property",
    kind: "property",
    arg: "connect> <property> <value",
    help: "MQTT 5 property of CONNECT (implies -V 5)",
  },
  { names: ["--help"], key: "help", kind: "flag", help: "show this text" },
];

interface Pair {
  topic: string;
  publisher: MqttClient;
  subscriber: MqttClient;
  /** The next sequence number the subscriber expects. */
  expected: number;
}

/** The counters the publishers and subscribers move. */
interface Counters {
  sent: number;
  received: number;
  lost: number;
  duplicates: number;
  lastReceivedAt: number;
}

/** `tern bench`. */
export const bench: Command = {
  name: "bench",
  summary: "measure a broker: publishers → subscribers, rates, latency, loss",
  run: (args, io) =>
    runCommand("bench", io, async (context) => {
      const parsed = parseArgs(args, OPTIONS);
      const v = parsed.values as Record<string, string | undefined>;
      const flags = parsed.values as Record<string, boolean | undefined>;
      if (flags.help) {
        await io.write(helpText(
          "tern bench {-h host [-p port] | -L url} [-q qos] [-s bytes] [-n count | -d seconds] [options]",
          "Publishes through the broker to subscribers and reports rates, latency and loss.",
          OPTIONS,
        ));
        return 0;
      }
      context.quiet = flags.quiet ?? false;
      const qos = qosOf(v.qos);
      const size = v.size === undefined ? 64 : integer(
        v.size,
        HEADER_BYTES,
        256 * 1024 * 1024,
        `Invalid size "${v.size}": at least ${HEADER_BYTES} bytes.`,
      );
      if (v.count !== undefined && v.duration !== undefined) {
        throw usage("Give -n or -d, not both.");
      }
      const count = v.count === undefined
        ? 10_000
        : integer(v.count, 1, Number.MAX_SAFE_INTEGER, `Invalid count "${v.count}".`);
      const durationMs = v.duration === undefined
        ? undefined
        : integer(v.duration, 1, 86_400, `Invalid duration "${v.duration}".`) * 1000;
      const connections = v.connections === undefined
        ? 1
        : integer(v.connections, 1, 1000, `Invalid connection count "${v.connections}".`);
      const window = v.window === undefined
        ? 100
        : integer(v.window, 1, 65_535, `Invalid window "${v.window}".`);
      const connection = await connectionOf(
        parsed,
        parseProperties(parsed.properties, ["connect"]),
        io,
      );
      context.protocolVersion = connection.protocolVersion;
      const base = v.topic ?? `tern/bench/${crypto.randomUUID().slice(0, 8)}`;

      const counters: Counters = {
        sent: 0,
        received: 0,
        lost: 0,
        duplicates: 0,
        lastReceivedAt: 0,
      };
      const total = new Histogram();
      let second = new Histogram();
      const clients: MqttClient[] = [];
      const open = async (role: string, index: number) => {
        const id = connection.client.clientId;
        const client = await startClient({
          ...connection.client,
          clientId: id === undefined ? undefined : `${id}-${role}-${index}`,
        });
        clients.push(client);
        return client;
      };
      try {
        const pairs: Pair[] = await Promise.all(
          Array.from({ length: connections }, async (_, index) => {
            const pair = {
              topic: `${base}/${index}`,
              subscriber: await open("sub", index),
              publisher: await open("pub", index),
              expected: 0,
            };
            // The raw message events, not a local subscription: no buffer between the
            // socket and the measurement (the subscriber has this one subscription only).
            pair.subscriber.on("message", (message) => {
              const now = performance.now();
              if (message.payload.length < HEADER_BYTES) return;
              const view = new DataView(
                message.payload.buffer,
                message.payload.byteOffset,
                HEADER_BYTES,
              );
              if (view.getUint32(0) !== index) return;
              const sequence = view.getUint32(4);
              if (sequence < pair.expected) {
                counters.duplicates++;
                return;
              }
              counters.lost += sequence - pair.expected;
              pair.expected = sequence + 1;
              counters.received++;
              counters.lastReceivedAt = now;
              const latency = now - view.getFloat64(8);
              total.add(latency);
              second.add(latency);
            });
            const { reasonCodes } = await pair.subscriber.sendSubscribe(pair.topic, { qos });
            if (reasonCodes[0] >= 0x80) {
              throw failure(
                `Error: The broker refused the subscription to ${pair.topic}.`,
                1,
              );
            }
            return pair;
          }),
        );

        const start = performance.now();
        let ticks = 0;
        let lastSent = 0;
        let lastReceived = 0;
        const ticker = setInterval(() => {
          ticks++;
          if (!context.quiet) {
            io.error(tickLine({
              elapsedS: ticks,
              sentPerS: counters.sent - lastSent,
              receivedPerS: counters.received - lastReceived,
              p50Ms: second.percentile(0.5),
              p99Ms: second.percentile(0.99),
              lost: counters.lost,
            }));
          }
          lastSent = counters.sent;
          lastReceived = counters.received;
          second = new Histogram();
        }, 1000);
        let publishedAt = start;
        try {
          const deadline = durationMs === undefined ? undefined : start + durationMs;
          await Promise.all(pairs.map((pair, index) => {
            const share = Math.floor(count / connections) + (index < count % connections ? 1 : 0);
            const more = deadline === undefined
              ? (sequence: number) => sequence < share
              : () => performance.now() < deadline;
            return publishAll(pair, index, { qos, size, window, more, counters });
          }));
          publishedAt = performance.now();
          await drained(counters);
        } finally {
          clearInterval(ticker);
        }
        const elapsedS = (publishedAt - start) / 1000;
        const receivingS = ((counters.lastReceivedAt || publishedAt) - start) / 1000;
        const summary: Summary = {
          qos,
          size,
          connections,
          window,
          durationS: elapsedS,
          sent: counters.sent,
          received: counters.received,
          lost: Math.max(0, counters.sent - counters.received),
          duplicates: counters.duplicates,
          sentPerS: counters.sent / elapsedS,
          receivedPerS: receivingS > 0 ? counters.received / receivingS : 0,
          latencyMs: {
            p50: total.percentile(0.5),
            p90: total.percentile(0.9),
            p99: total.percentile(0.99),
            max: total.max,
            mean: total.mean,
          },
        };
        await io.write(flags.json ? summaryJson(summary) : summaryText(summary));
        return 0;
      } finally {
        await Promise.all(clients.map((client) => client.stop()));
      }
    }),
};

/** Publishes while `more(sequence)` holds, with at most `window` publishes outstanding. */
async function publishAll(
  pair: Pair,
  index: number,
  options: {
    qos: QoS;
    size: number;
    window: number;
    more: (sequence: number) => boolean;
    counters: Counters;
  },
): Promise<void> {
  const { qos, size, window, more, counters } = options;
  let outstanding = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const settle = (error?: unknown) => {
    if (error !== undefined) failure ??= error;
    else counters.sent++;
    outstanding--;
    wake?.();
    wake = undefined;
  };
  for (let sequence = 0; failure === undefined && more(sequence); sequence++) {
    while (outstanding >= window) await new Promise<void>((resolve) => (wake = resolve));
    // A fresh buffer each time: the client keeps the payload until it is sent (and resent).
    const payload = new Uint8Array(size);
    const view = new DataView(payload.buffer);
    view.setUint32(0, index);
    view.setUint32(4, sequence);
    view.setFloat64(8, performance.now());
    outstanding++;
    pair.publisher.publish(pair.topic, payload, { qos }).then(() => settle(), settle);
  }
  while (outstanding > 0) await new Promise<void>((resolve) => (wake = resolve));
  if (failure !== undefined) throw failure;
}

/** Resolves once everything sent arrived (or was found lost), or nothing arrived for a while. */
async function drained(counters: Counters): Promise<void> {
  let received = counters.received;
  let idleSince = performance.now();
  while (counters.received + counters.lost < counters.sent) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (counters.received !== received) {
      received = counters.received;
      idleSince = performance.now();
    } else if (performance.now() - idleSince > DRAIN_IDLE_MS) {
      return;
    }
  }
}
