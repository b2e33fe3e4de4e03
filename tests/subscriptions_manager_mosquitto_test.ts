/**
 * `SubscriptionManager` on a real broker: mosquitto (MQTT 5) with MQTT.js as the broker
 * side, the way `@tern/agent` plugs in. Shows routing by subscription identifier against
 * mosquitto's one-copy-per-subscription delivery, reference counting seen from the broker,
 * and `resubscribe()` after a restart that lost the session.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import mqtt from "mqtt";
import { type Message, SubscriptionManager } from "@tern/subscriptions";
import { startBroker } from "./support/broker.ts";

async function connect(url: string, clientId: string) {
  return await mqtt.connectAsync(url, {
    clientId,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 100,
    resubscribe: false,
  });
}

type Client = Awaited<ReturnType<typeof connect>>;

/** The broker side over MQTT.js, and the feed from its PUBLISH packets into `dispatch`. */
function managerOver(client: Client) {
  const manager = new SubscriptionManager({
    broker: {
      async subscribe({ topicFilter, qos, noLocal, retainAsPublished, retainHandling, ...rest }) {
        const granted = await client.subscribeAsync(topicFilter, {
          qos,
          nl: noLocal,
          rap: retainAsPublished,
          rh: retainHandling,
          properties: { subscriptionIdentifier: rest.subscriptionIdentifier },
        });
        return granted[0].qos;
      },
      async unsubscribe(topicFilter) {
        // MQTT.js types the UNSUBACK loosely; mqtt-packet puts its reason codes here.
        const unsuback = await client.unsubscribeAsync(topicFilter) as
          | { reasonCode?: number | number[] }
          | undefined;
        const code = unsuback?.reasonCode;
        return Array.isArray(code) ? code[0] : code;
      },
    },
  });
  client.on("message", (topic, payload, packet) => {
    const identifiers = packet.properties?.subscriptionIdentifier;
    manager.dispatch({
      topic,
      payload: new Uint8Array(payload),
      qos: packet.qos,
      retain: packet.retain,
      properties: {
        subscriptionIdentifiers: identifiers === undefined
          ? undefined
          : Array.isArray(identifiers)
          ? identifiers
          : [identifiers],
      },
    });
  });
  return manager;
}

/** Collects the topics a subscription receives until `until` arrives. */
async function topicsUntil(subscription: AsyncIterable<Message>, until: string) {
  const topics: string[] = [];
  for await (const message of subscription) {
    if (message.topic === until) break;
    topics.push(message.topic);
  }
  return topics;
}

Deno.test("SubscriptionManager on mosquitto delivers each message once per local filter and removes broker subscriptions", async () => {
  await using broker = await startBroker();
  const client = await connect(broker.url, "manager");
  const publisher = await connect(broker.url, "publisher");
  try {
    const manager = managerOver(client);
    const all = manager.subscribe("t/#", { qos: 1 });
    const plus = manager.subscribe("t/+");
    const again = manager.subscribe("t/#");
    await Promise.all([all.ready, plus.ready, again.ready]);
    assert.equal(manager.activeSubscriptions().length, 2);

    // "t/1" matches both broker subscriptions: mosquitto sends one copy per subscription,
    // each with its identifier, and each copy reaches only its own filter's subscribers.
    for (const topic of ["t/1", "t/1/2", "u/1", "t/end"]) {
      await publisher.publishAsync(topic, Buffer.from(topic), { qos: 1 });
    }
    assert.deepEqual(await topicsUntil(all, "t/end"), ["t/1", "t/1/2"]);
    assert.deepEqual(await topicsUntil(again, "t/end"), ["t/1", "t/1/2"]);
    assert.deepEqual(await topicsUntil(plus, "t/end"), ["t/1"]);
    assert.equal(manager.unmatched, 0);

    // Leaving the loops unsubscribed every local subscriber; the broker must have dropped
    // both filters, so "t/2" reaches nobody, while the new "sync" filter still works.
    const sync = manager.subscribe("sync");
    await sync.ready;
    await publisher.publishAsync("t/2", Buffer.from("late"), { qos: 1 });
    await publisher.publishAsync("sync", Buffer.from("sync"), { qos: 1 });
    assert.equal((await sync.next()).value?.topic, "sync");
    assert.equal(manager.unmatched, 0);
    assert.deepEqual(manager.activeSubscriptions().map((s) => s.topicFilter), ["sync"]);
    await sync.unsubscribe();
  } finally {
    await client.endAsync(true);
    await publisher.endAsync(true);
  }
});

Deno.test("resubscribe() restores the broker subscriptions after a restart lost the session", async () => {
  await using broker = await startBroker();
  const client = await connect(broker.url, "restorer");
  try {
    const manager = managerOver(client);
    const sensors = manager.subscribe("sensors/+", { qos: 1 });
    await sensors.ready;
    const reconnected = new Promise<boolean>((resolve) =>
      client.once("connect", (connack) => resolve(connack.sessionPresent))
    );
    await broker.restart();
    assert.equal(await reconnected, false);
    await manager.resubscribe();

    const publisher = await connect(broker.url, "publisher-2");
    try {
      await publisher.publishAsync("sensors/1", Buffer.from("21.5"), { qos: 1 });
    } finally {
      await publisher.endAsync(true);
    }
    const received = await sensors.next();
    assert.equal(received.value?.topic, "sensors/1");
    assert.equal(new TextDecoder().decode(received.value?.payload), "21.5");
    await sensors.unsubscribe();
  } finally {
    await client.endAsync(true);
  }
});
