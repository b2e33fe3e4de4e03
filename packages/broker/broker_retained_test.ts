import assert from "node:assert/strict";
import { Broker } from "./broker.ts";
import { RawClient } from "./testdata/raw_client.ts";
import { label, publish, text, VERSIONS } from "./testdata/helpers.ts";

for (const version of VERSIONS) {
  const name = label(version);

  Deno.test(`a retained message reaches later subscribers with RETAIN set, and an empty one clears it (${name})`, async () => {
    await using broker = new Broker();
    const { client: pub } = await RawClient.connect(broker.connect(), version, { clientId: "pub" });
    pub.send(publish("ret/a", "kept", { retain: true, qos: 1, packetId: 1 }));
    await pub.expect("puback");
    pub.send(publish("ret/b", "also", { retain: true }));
    pub.send(publish("ret/b", "", { retain: true }));
    pub.send({ type: "pingreq" });
    await pub.expect("pingresp");
    assert.equal(broker.stats().retained, 1);

    const { client: sub } = await RawClient.connect(broker.connect(), version, { clientId: "sub" });
    sub.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "ret/#", qos: 1 }] });
    await sub.expect("suback");
    const retained = await sub.expect("publish");
    assert.deepEqual([retained.topic, text(retained.payload), retained.retain], [
      "ret/a",
      "kept",
      true,
    ]);
    sub.send({ type: "puback", packetId: retained.packetId! });
    // A message published while subscribed arrives without RETAIN [MQTT-3.3.1-12].
    pub.send(publish("ret/a", "live", { retain: true }));
    const live = await sub.expect("publish");
    assert.deepEqual([text(live.payload), live.retain], ["live", false]);
    await Promise.all([pub.close(), sub.close()]);
  });
}

Deno.test("Retain Handling 1 sends retained messages only for a new subscription, 2 never (MQTT 5)", async () => {
  await using broker = new Broker();
  const { client } = await RawClient.connect(broker.connect(), 5, { clientId: "rh" });
  client.send(publish("rh/x", "r", { retain: true }));
  const subscribe = (retainHandling: 1 | 2, filter: string, packetId: number) =>
    client.send({
      type: "subscribe",
      packetId,
      subscriptions: [{ topicFilter: filter, qos: 0, retainHandling }],
    });
  subscribe(1, "rh/#", 1);
  await client.expect("suback");
  assert.equal((await client.expect("publish")).retain, true);
  subscribe(1, "rh/#", 2);
  await client.expect("suback");
  subscribe(2, "rh/+", 3);
  await client.expect("suback");
  assert.ok(await client.quiet(), "a retained message was sent again");
  await client.close();
});

Deno.test("Retain As Published keeps the RETAIN flag of forwarded messages (MQTT 5)", async () => {
  await using broker = new Broker();
  const { client } = await RawClient.connect(broker.connect(), 5, { clientId: "rap" });
  client.send({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "rap/kept", qos: 0, retainAsPublished: true }, {
      topicFilter: "rap/cleared",
      qos: 0,
    }],
  });
  await client.expect("suback");
  client.send(publish("rap/kept", "a", { retain: true }));
  client.send(publish("rap/cleared", "b", { retain: true }));
  const kept = await client.expect("publish");
  const cleared = await client.expect("publish");
  assert.deepEqual([kept.retain, cleared.retain], [true, false]);
  await client.close();
});
