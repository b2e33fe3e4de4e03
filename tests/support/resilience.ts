/**
 * Shared parts of the fault tests: a subscriber that ledgers two numbered streams (QoS 1 and
 * QoS 2), a publisher that streams them through a fault, and the figures each test records.
 */
import { Backoff, MqttClient, type MqttClientOptions } from "@tern/agent";
import { DeliveryLedger, seqPayload } from "./delivery_ledger.ts";
import { streamMessages, type StreamResult, waitFor } from "./fault_stream.ts";
import { type FaultFigures, recordFigures } from "./reliability.ts";

/** The topics of the two streams, by QoS. */
export const STREAM_TOPICS = { 1: "resilience/q1", 2: "resilience/q2" } as const;

/** Reconnect quickly in tests: 50 ms doubling to 1 s, full jitter. */
export function testBackoff(): Backoff {
  return new Backoff({ minDelayMs: 50, maxDelayMs: 1000 });
}

/** A started client that subscribes to both streams and counts what arrives per QoS. */
export interface StreamSubscriber {
  client: MqttClient;
  ledgers: { 1: DeliveryLedger; 2: DeliveryLedger };
  /** Messages seen so far, both streams. */
  arrivals: number;
  /** `performance.now()` of the latest arrival. */
  lastArrivalAt: number;
}

/** Starts a client with `options`, subscribes to both streams at their QoS, and ledgers them. */
export async function startSubscriber(options: MqttClientOptions): Promise<StreamSubscriber> {
  const client = new MqttClient(options);
  const subscriber: StreamSubscriber = {
    client,
    ledgers: { 1: new DeliveryLedger(), 2: new DeliveryLedger() },
    arrivals: 0,
    lastArrivalAt: 0,
  };
  client.on("message", (message) => {
    const qos = message.topic === STREAM_TOPICS[1] ? 1 : message.topic === STREAM_TOPICS[2] ? 2 : 0;
    if (qos === 0) return;
    subscriber.arrivals++;
    subscriber.lastArrivalAt = performance.now();
    subscriber.ledgers[qos].received(message.payload);
  });
  await client.start();
  await client.sendSubscribe([
    { topicFilter: STREAM_TOPICS[1], qos: 1 },
    { topicFilter: STREAM_TOPICS[2], qos: 2 },
  ]);
  return subscriber;
}

/** Counts a client's connections and remembers when each CONNACK arrived. */
export function watchConnections(client: MqttClient): { successes: number[]; losses: number } {
  const watch = { successes: [] as number[], losses: 0 };
  client.on("connectionsuccess", () => watch.successes.push(performance.now()));
  client.on("disconnection", () => watch.losses++);
  return watch;
}

/** Options for {@linkcode streamBoth}. */
export interface StreamBothOptions {
  publisher: MqttClient;
  subscriber: StreamSubscriber;
  /** Messages per stream. */
  count: number;
  /** Concurrent publishes per stream. Default 32. */
  window?: number;
  /** Called once, when half of the QoS 1 stream was started. */
  fault(): void | Promise<void>;
}

/**
 * Streams `count` QoS 1 and `count` QoS 2 messages side by side, calls `fault` halfway, and
 * returns each stream's publish outcome. The ledgers record every message handed to the client.
 */
export async function streamBoth(
  options: StreamBothOptions,
): Promise<{ 1: StreamResult; 2: StreamResult }> {
  const { publisher, subscriber, count, window = 32 } = options;
  const stream = (qos: 1 | 2, onStarted?: (index: number) => void | Promise<void>) =>
    streamMessages({
      count,
      window,
      publish: (seq) => {
        subscriber.ledgers[qos].sent(seq);
        return publisher.publish(STREAM_TOPICS[qos], seqPayload(seq), { qos });
      },
      onStarted,
    });
  const half = Math.floor(count / 2);
  const [q1, q2] = await Promise.all([
    stream(1, (index) => index === half ? options.fault() : undefined),
    stream(2),
  ]);
  return { 1: q1, 2: q2 };
}

/** Waits until every message sent on both streams arrived at least once. */
export async function waitForDelivery(
  subscriber: StreamSubscriber,
  timeoutMs: number,
): Promise<void> {
  const { ledgers } = subscriber;
  await waitFor(
    () => ledgers[1].summary().lost === 0 && ledgers[2].summary().lost === 0,
    {
      timeoutMs,
      describe: () =>
        `QoS 1 ${JSON.stringify(ledgers[1].summary())}, QoS 2 ${
          JSON.stringify(ledgers[2].summary())
        }`,
    },
  );
}

/** Records both streams' figures for tests/RELIABILITY.md. */
export async function recordStreams(
  test: string,
  fault: string,
  subscriber: StreamSubscriber,
  extra: Pick<FaultFigures, "healMs" | "reconnects" | "note">,
): Promise<void> {
  for (const qos of [1, 2] as const) {
    const { sent, received, lost, duplicated } = subscriber.ledgers[qos].summary();
    await recordFigures({ test, fault, qos, sent, received, lost, duplicated, ...extra });
  }
}
