/**
 * Issue 6, fault test 3: mosquitto restarted without persistence forgets every session; the
 * subscriber reconnects to an empty broker, restores its subscriptions before anything else,
 * and delivery resumes.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { startBroker } from "./support/broker.ts";
import { seqPayload } from "./support/delivery_ledger.ts";
import { waitFor } from "./support/fault_stream.ts";
import { recordFigures } from "./support/reliability.ts";
import {
  startSubscriber,
  STREAM_TOPICS,
  testBackoff,
  watchConnections,
} from "./support/resilience.ts";

const test =
  "subscriptions are restored after mosquitto restarts without persistence, and delivery resumes";
Deno.test(test, async () => {
  await using broker = await startBroker();
  const session = { protocolVersion: 5 as const, sessionExpiryInterval: 3600, keepAlive: 5 };
  const subscriber = await startSubscriber({
    url: broker.url,
    clientId: "resubscriber",
    ...session,
    reconnect: testBackoff(),
  });
  const connections = watchConnections(subscriber.client);
  const publisher = new MqttClient({
    url: broker.url,
    clientId: "republisher",
    ...session,
    reconnect: testBackoff(),
  });
  try {
    await publisher.start();
    for (let seq = 0; seq < 100; seq++) {
      subscriber.ledgers[1].sent(seq);
      await publisher.publish(STREAM_TOPICS[1], seqPayload(seq), { qos: 1 });
    }
    await waitFor(() => subscriber.ledgers[1].distinctReceived === 100, { timeoutMs: 10_000 });
    const faultAt = performance.now();
    await broker.restart();
    await waitFor(() => connections.successes.some((at) => at > faultAt), { timeoutMs: 10_000 });
    await waitFor(() => publisher.state === "connected", { timeoutMs: 10_000 });
    assert.equal(subscriber.client.settings?.rejoinedSession, false);
    // Published after the broker forgot everything: only a restored subscription receives these.
    for (let seq = 100; seq < 200; seq++) {
      subscriber.ledgers[1].sent(seq);
      subscriber.ledgers[2].sent(seq);
      await publisher.publish(STREAM_TOPICS[1], seqPayload(seq), { qos: 1 });
      await publisher.publish(STREAM_TOPICS[2], seqPayload(seq), { qos: 2 });
    }
    await waitFor(
      () =>
        subscriber.ledgers[1].distinctReceived === 200 &&
        subscriber.ledgers[2].distinctReceived === 100,
      {
        timeoutMs: 10_000,
        describe: () =>
          `QoS 1 ${JSON.stringify(subscriber.ledgers[1].summary())}, QoS 2 ${
            JSON.stringify(subscriber.ledgers[2].summary())
          }`,
      },
    );
    const healedAt = connections.successes.find((at) => at > faultAt)!;
    for (const qos of [1, 2] as const) {
      const { sent, received, lost, duplicated } = subscriber.ledgers[qos].summary();
      assert.equal(lost, 0);
      await recordFigures({
        test,
        fault: "mosquitto (no persistence) SIGKILL + restart",
        qos,
        sent,
        received,
        lost,
        duplicated,
        healMs: Math.round(healedAt - faultAt),
        reconnects: connections.successes.length - 1,
      });
    }
  } finally {
    await publisher.stop();
    await subscriber.client.stop();
  }
});
