/**
 * Issue 6, fault test 2: a fault-injecting proxy drops, stalls and half-opens the publisher's
 * connection mid-stream; each fault is detected (stream end or missing PINGRESP), the client
 * reconnects and resumes its session, and no QoS 1 / 2 message is lost, no QoS 2 duplicated.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { startBroker } from "./support/broker.ts";
import { startFaultProxy } from "./support/fault_proxy.ts";
import {
  recordStreams,
  startSubscriber,
  streamBoth,
  testBackoff,
  waitForDelivery,
  watchConnections,
} from "./support/resilience.ts";

const COUNT = 2000;

const faults = {
  drop: { describe: "proxy drops the connection", stallMs: 0 },
  stall: { describe: "proxy stalls both ways for 2 s", stallMs: 2000 },
  halfOpen: { describe: "proxy turns the connection half-open", stallMs: 0 },
} as const;

for (
  const [name, fault] of Object.entries(faults) as [
    keyof typeof faults,
    typeof faults[keyof typeof faults],
  ][]
) {
  const test =
    `the publisher heals after the proxy's ${name} mid-stream: no QoS 1 / 2 loss, no QoS 2 duplicate`;
  Deno.test(test, async () => {
    await using broker = await startBroker();
    await using proxy = await startFaultProxy({ targetPort: broker.port });
    const subscriber = await startSubscriber({
      url: broker.url,
      clientId: `sub-${name}`,
      reconnect: testBackoff(),
    });
    const publisher = new MqttClient({
      url: proxy.url,
      clientId: `pub-${name}`,
      protocolVersion: 5,
      // The session outlives the connection, so in-flight flows resume with DUP / PUBREL.
      sessionExpiryInterval: 300,
      keepAlive: 1,
      pingTimeoutMs: 500,
      connackTimeoutMs: 1000,
      reconnect: testBackoff(),
    });
    const connections = watchConnections(publisher);
    try {
      await publisher.start();
      let faultAt = 0;
      let resumed: Promise<void> | undefined;
      const results = await streamBoth({
        publisher,
        subscriber,
        count: COUNT,
        fault: () => {
          faultAt = performance.now();
          if (name === "drop") proxy.drop();
          if (name === "halfOpen") proxy.halfOpen();
          if (name === "stall") {
            proxy.stall();
            resumed = new Promise((resolve) =>
              setTimeout(() => {
                proxy.resume();
                resolve();
              }, fault.stallMs)
            );
          }
        },
      });
      await resumed;
      await waitForDelivery(subscriber, 60_000);
      // Every publish promise settled, and successfully: none was failed by the fault.
      assert.deepEqual(
        [results[1].failed, results[2].failed],
        [0, 0],
        String(results[1].errors[0] ?? results[2].errors[0]),
      );
      assert.ok(connections.losses >= 1, "the fault was never detected");
      const healedAt = connections.successes.find((at) => at > faultAt);
      assert.ok(healedAt !== undefined, "the publisher never reconnected after the fault");
      const q1 = subscriber.ledgers[1].summary();
      const q2 = subscriber.ledgers[2].summary();
      assert.equal(q1.lost, 0);
      assert.equal(q2.lost, 0);
      assert.equal(q2.duplicated, 0);
      assert.equal(q1.unexpected + q2.unexpected, 0);
      await recordStreams(test, fault.describe, subscriber, {
        healMs: Math.round(healedAt - faultAt),
        reconnects: connections.successes.length - 1,
      });
    } finally {
      await publisher.stop();
      await subscriber.client.stop();
    }
  });
}
