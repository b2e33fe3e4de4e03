/**
 * Issue 5 through the client: `MqttClient.subscribe` delivers every message through
 * `@tern/subscriptions` against a real mosquitto. Local subscribers share reference-counted
 * broker subscriptions, leaving a `for await` loop unsubscribes, MQTT 5 routes by
 * subscription identifier and MQTT 3.1.1 by matching, subscriptions survive a broker that
 * forgot the session, and messages nobody subscribed to locally reach "message" and are
 * counted. The first two scenarios also run against the embedded broker (`@tern/broker`).
 */
import assert from "node:assert/strict";
import { type InboundMessage, MqttClient, type Packet } from "@tern/agent";
import { tcp } from "@tern/transport";
import { startBroker } from "./support/broker.ts";
import { startEmbeddedBroker } from "./support/embedded_broker.ts";
import { recording } from "../packages/agent/testdata/recording_transport.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Polls `condition` (no timing assertion: only a generous bound against hanging). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Gave up waiting: ${what}`);
}

/** A client over a transport that records every packet it writes. */
function recordedClient(port: number, protocolVersion: 4 | 5, clientId: string) {
  const record = recording(tcp({ hostname: "127.0.0.1", port }), protocolVersion);
  const client = new MqttClient({
    transport: record.transport,
    protocolVersion,
    clientId,
    reconnect: false,
  });
  const sent = (type: Packet["type"]) => record.written.filter((p) => p.type === type);
  return { client, sent };
}

/** Collects what a handler receives, as "topic=payload". */
function collector() {
  const seen: string[] = [];
  return {
    seen,
    handler: (message: InboundMessage) =>
      void seen.push(`${message.topic}=${text(message.payload)}`),
  };
}

// Each scenario on mosquitto and on the embedded broker, in MQTT 3.1.1 and 5.
const RUNS = [startBroker, startEmbeddedBroker].flatMap((start) =>
  ([4, 5] as const).map((protocolVersion) => ({ start, protocolVersion }))
);

for (const { start, protocolVersion } of RUNS) {
  const brokerName = start === startBroker ? "mosquitto" : "the embedded broker";
  Deno.test(`MQTT ${protocolVersion} on ${brokerName}: local subscribers of one filter share one broker subscription, removed after the last leaves`, async () => {
    await using broker = await start();
    const { client, sent } = recordedClient(
      broker.port,
      protocolVersion,
      `share-${protocolVersion}`,
    );
    const publisher = new MqttClient({ url: broker.url, protocolVersion, reconnect: false });
    await client.start();
    await publisher.start();
    try {
      const first = collector();
      const second = collector();
      const a = client.subscribe("rc/#", { qos: 1, handler: first.handler });
      const b = client.subscribe("rc/#", { qos: 1, handler: second.handler });
      assert.deepEqual(await Promise.all([a, b]), [{ reasonCodes: [1] }, { reasonCodes: [1] }]);
      assert.equal(sent("subscribe").length, 1);

      await publisher.publish("rc/1", "one", { qos: 1 });
      await until(() => first.seen.length === 1 && second.seen.length === 1, "rc/1 twice");
      await a.unsubscribe();
      assert.equal(sent("unsubscribe").length, 0, "the second subscriber keeps it");
      await publisher.publish("rc/2", "two", { qos: 1 });
      await until(() => second.seen.length === 2, "rc/2 for the second");
      assert.deepEqual(first.seen, ["rc/1=one"]);
      assert.deepEqual(second.seen, ["rc/1=one", "rc/2=two"]);

      await b.unsubscribe();
      assert.equal(sent("unsubscribe").length, 1);
      // Had mosquitto kept the subscription, rc/3 would arrive before the sentinel, as an
      // unmatched message (same publisher, same QoS: in order).
      const unmatched: string[] = [];
      client.on("message", (message) => unmatched.push(message.topic));
      const sentinel = client.subscribe("sentinel", { qos: 1 });
      await sentinel;
      await publisher.publish("rc/3", "three", { qos: 1 });
      await publisher.publish("sentinel", "end", { qos: 1 });
      for await (const message of sentinel) {
        assert.equal(message.topic, "sentinel");
        break;
      }
      assert.deepEqual(unmatched, []);
      assert.equal(client.stats().unmatchedMessages, 0);
      assert.deepEqual(second.seen, ["rc/1=one", "rc/2=two"]);
    } finally {
      await publisher.stop();
      await client.stop();
    }
  });

  Deno.test(`MQTT ${protocolVersion} on ${brokerName}: overlapping filters each get exactly their messages`, async () => {
    await using broker = await start();
    const { client, sent } = recordedClient(
      broker.port,
      protocolVersion,
      `overlap-${protocolVersion}`,
    );
    const publisher = new MqttClient({ url: broker.url, protocolVersion, reconnect: false });
    await client.start();
    await publisher.start();
    try {
      const all = collector();
      const temperatures = collector();
      const kitchen = collector();
      await Promise.all([
        client.subscribe("home/#", { qos: 1, handler: all.handler }),
        client.subscribe("home/+/temperature", { qos: 1, handler: temperatures.handler }),
        client.subscribe(["home/kitchen/+", "office/#"], { qos: 1, handler: kitchen.handler }),
      ]);
      const subscribes = sent("subscribe");
      assert.equal(subscribes.length, 4);
      const identifiers = subscribes.map((p) =>
        p.type === "subscribe" ? p.properties?.subscriptionIdentifier : undefined
      );
      if (protocolVersion === 5) {
        assert.equal(new Set(identifiers).size, 4, "one identifier per filter");
      } else {
        assert.deepEqual(identifiers, [undefined, undefined, undefined, undefined]);
      }
      const identified: (number[] | undefined)[] = [];
      client.on("message", () => assert.fail("every message has a local subscriber"));
      const topics = ["home/kitchen/temperature", "home/hall/light", "office/desk", "home/kitchen"];
      for (const topic of topics) {
        await publisher.publish(topic, topic.length.toString(), { qos: 1 });
      }
      await until(() => all.seen.length === 3 && kitchen.seen.length === 2, "the last delivery");
      // A catch-up subscription sees how the broker labelled a message.
      const probe = client.subscribe("home/hall/light", { qos: 1 });
      await probe;
      await publisher.publish("home/hall/light", "again", { qos: 1 });
      for await (const message of probe) {
        identified.push(message.properties?.subscriptionIdentifiers);
        break;
      }
      await until(() => all.seen.length === 4, "home/hall/light again");

      assert.deepEqual(all.seen, [
        "home/kitchen/temperature=24",
        "home/hall/light=15",
        "home/kitchen=12",
        "home/hall/light=again",
      ]);
      assert.deepEqual(temperatures.seen, ["home/kitchen/temperature=24"]);
      assert.deepEqual(kitchen.seen, ["home/kitchen/temperature=24", "office/desk=11"]);
      if (protocolVersion === 5) {
        // Routed by identifier: the copy for "home/hall/light" names its own subscription.
        assert.ok(identified[0]?.length, "MQTT 5 messages carry subscription identifiers");
      } else {
        assert.deepEqual(identified, [undefined]);
      }
      assert.equal(client.stats().unmatchedMessages, 0);
    } finally {
      await publisher.stop();
      await client.stop();
    }
  });
}

Deno.test("leaving a for-await loop unsubscribes from the broker", async () => {
  await using broker = await startBroker();
  const { client, sent } = recordedClient(broker.port, 5, "loop");
  await client.start();
  try {
    const updates = client.subscribe("loop/#", { qos: 1 });
    await updates;
    await client.publish("loop/a", "1", { qos: 1 });
    await client.publish("loop/b", "2", { qos: 1 });
    const seen: string[] = [];
    for await (const message of updates) {
      seen.push(message.topic);
      if (message.topic === "loop/b") break;
    }
    assert.deepEqual(seen, ["loop/a", "loop/b"]);
    assert.ok(updates.closed);
    await until(
      () => sent("unsubscribe").length === 1 && client.stats().incompleteOperationCount === 0,
      "the UNSUBACK",
    );
    const unmatched: string[] = [];
    client.on("message", (message) => unmatched.push(message.topic));
    await using sentinel = client.subscribe("sentinel", { qos: 1 });
    await sentinel;
    await client.publish("loop/c", "3", { qos: 1 });
    await client.publish("sentinel", "end", { qos: 1 });
    await sentinel.next();
    assert.deepEqual(unmatched, [], "mosquitto no longer sends loop/#");
  } finally {
    await client.stop();
  }
});

Deno.test("messages no local subscription takes reach the message event and are counted", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({ url: broker.url, clientId: "catch-all", reconnect: false });
  await client.start();
  try {
    const unmatched: string[] = [];
    client.on("message", (message) => unmatched.push(`${message.topic}=${text(message.payload)}`));
    assert.deepEqual((await client.sendSubscribe("raw/#", { qos: 1 })).reasonCodes, [1]);
    const local = collector();
    await client.subscribe("local/+", { qos: 1, handler: local.handler });
    await client.publish("raw/x", "r", { qos: 1 });
    await client.publish("local/y", "l", { qos: 1 });
    await until(() => unmatched.length === 1 && local.seen.length === 1, "both messages");
    assert.deepEqual(unmatched, ["raw/x=r"]);
    assert.deepEqual(local.seen, ["local/y=l"]);
    assert.equal(client.stats().unmatchedMessages, 1);
  } finally {
    await client.stop();
  }
});

Deno.test("a handler that never finishes holds up no other subscription, and what it cannot take waits unacknowledged", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({ url: broker.url, clientId: "slow", reconnect: false });
  await client.start();
  const gate = Promise.withResolvers<void>();
  try {
    let started = 0;
    const stuck = client.subscribe("slow/#", {
      qos: 1,
      bufferSize: 2,
      overflow: "drop-oldest",
      handler: async () => {
        started++;
        await gate.promise;
      },
    });
    await stuck;
    const fast = client.subscribe("fast/#", { qos: 1 });
    await fast;
    for (let i = 0; i < 5; i++) await client.publish(`slow/${i}`, String(i), { qos: 1 });
    await client.publish("fast/x", "through", { qos: 1 });
    const { value } = await fast.next();
    assert.equal(value?.topic, "fast/x");
    assert.equal(started, 1, "the handler is still on its first message");
    // One running, two buffered, two past the buffer: QoS 1 is paced, never dropped, so
    // those two wait unacknowledged (the broker keeps them until they are taken), and
    // fast/x's PUBACK waits behind theirs: acknowledgements leave in arrival order (4.6).
    assert.equal(stuck.dropped, 0);
    assert.equal(client.stats().heldMessages, 3);
    await fast.unsubscribe();
    await stuck.unsubscribe();
  } finally {
    gate.resolve();
    await client.stop();
  }
});

Deno.test("local subscriptions keep working after mosquitto restarts without persistence", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({
    url: broker.url,
    clientId: "restart",
    sessionExpiryInterval: 3600,
    reconnect: { nextDelay: () => 50 },
  });
  let connections = 0;
  client.on("connectionsuccess", () => connections++);
  await client.start();
  const publisher = new MqttClient({
    url: broker.url,
    clientId: "restart-publisher",
    reconnect: { nextDelay: () => 50 },
  });
  await publisher.start();
  try {
    const received = collector();
    const subscription = client.subscribe("restart/+", { qos: 1, handler: received.handler });
    await subscription;
    await publisher.publish("restart/before", "1", { qos: 1 });
    await until(() => received.seen.length === 1, "the first message");

    await broker.restart();
    await until(
      () => connections === 2 && client.state === "connected" && publisher.state === "connected",
      "both reconnected",
    );
    assert.equal(client.settings?.rejoinedSession, false);
    // The restored SUBSCRIBE leaves ahead of this PUBLISH on the same connection.
    await client.publish("restart/self", "2", { qos: 1 });
    await publisher.publish("restart/after", "3", { qos: 1 });
    await until(() => received.seen.length === 3, "the messages after the restart");
    assert.deepEqual(received.seen.toSorted(), [
      "restart/after=3",
      "restart/before=1",
      "restart/self=2",
    ]);
    assert.equal(client.stats().unmatchedMessages, 0);
  } finally {
    await publisher.stop();
    await client.stop();
  }
});

Deno.test("one subscription to several filters is iterated as one stream, in order per filter", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({ url: broker.url, clientId: "streams", reconnect: false });
  await client.start();
  try {
    const both = client.subscribe(["left/+", "right/+"], { qos: 1 });
    assert.deepEqual(await both, { reasonCodes: [1, 1] });
    for (const [i, topic] of ["left/1", "right/1", "left/2", "right/2"].entries()) {
      await client.publish(topic, String(i), { qos: 1 });
    }
    const seen: string[] = [];
    for await (const message of both) {
      seen.push(message.topic);
      if (seen.length === 4) break;
    }
    assert.deepEqual(seen.filter((t) => t.startsWith("left")), ["left/1", "left/2"]);
    assert.deepEqual(seen.filter((t) => t.startsWith("right")), ["right/1", "right/2"]);
    assert.ok(both.closed);
    // The loop's UNSUBSCRIBEs are queued in microtasks; then wait for their UNSUBACKs.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await until(() => client.stats().incompleteOperationCount === 0, "the UNSUBACKs");
    assert.deepEqual(await client.sendUnsubscribe(["left/+", "right/+"]), {
      reasonCodes: [0x11, 0x11],
      properties: undefined,
    }, "both were unsubscribed already (0x11 No subscription existed)");
  } finally {
    await client.stop();
  }
});

Deno.test("subscribe() then publish() without awaiting leave in call order, so the echo arrives", async () => {
  await using broker = await startBroker();
  const { client, sent } = recordedClient(broker.port, 5, "call-order");
  await client.start();
  try {
    const inbox = client.subscribe("order/+", { qos: 1 });
    await client.publish("order/1", "first", { qos: 1 });
    const written = [...sent("subscribe"), ...sent("publish")].map((p) => p.type);
    assert.deepEqual(written, ["subscribe", "publish"]);
    for await (const message of inbox) {
      assert.equal(`${message.topic}=${text(message.payload)}`, "order/1=first");
      break;
    }
  } finally {
    await client.stop();
  }
});
