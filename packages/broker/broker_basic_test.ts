import assert from "node:assert/strict";
import { Broker } from "./broker.ts";
import { RawClient } from "./testdata/raw_client.ts";
import { label, publish, text, VERSIONS } from "./testdata/helpers.ts";

for (const version of VERSIONS) {
  const name = label(version);

  Deno.test(`a message published at each QoS reaches a subscriber at the granted QoS (${name})`, async () => {
    await using broker = new Broker();
    const { client: sub } = await RawClient.connect(broker.connect(), version, { clientId: "sub" });
    const { client: pub } = await RawClient.connect(broker.connect(), version, { clientId: "pub" });
    sub.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "basic/q2", qos: 2 }, { topicFilter: "basic/q1", qos: 1 }],
    });
    assert.deepEqual((await sub.expect("suback")).reasonCodes, [2, 1]);
    pub.send(publish("basic/q2", "zero", { qos: 0 }));
    pub.send(publish("basic/q2", "one", { qos: 1, packetId: 1 }));
    assert.equal((await pub.expect("puback")).packetId, 1);
    pub.send(publish("basic/q2", "two", { qos: 2, packetId: 2 }));
    assert.equal((await pub.expect("pubrec")).packetId, 2);
    pub.send({ type: "pubrel", packetId: 2 });
    assert.equal((await pub.expect("pubcomp")).packetId, 2);
    // QoS 2 published to a QoS 1 subscription arrives at QoS 1 [MQTT-3.8.4-8].
    pub.send(publish("basic/q1", "downgraded", { qos: 2, packetId: 3 }));
    await pub.expect("pubrec");

    const zero = await sub.expect("publish");
    assert.deepEqual([text(zero.payload), zero.qos], ["zero", 0]);
    const one = await sub.expect("publish");
    assert.deepEqual([text(one.payload), one.qos], ["one", 1]);
    sub.send({ type: "puback", packetId: one.packetId! });
    const two = await sub.expect("publish");
    assert.deepEqual([text(two.payload), two.qos], ["two", 2]);
    const downgraded = await sub.expect("publish");
    assert.deepEqual([text(downgraded.payload), downgraded.qos], ["downgraded", 1]);
    sub.send({ type: "pubrec", packetId: two.packetId! });
    assert.equal((await sub.expect("pubrel")).packetId, two.packetId);
    sub.send({ type: "pubcomp", packetId: two.packetId! });
    await Promise.all([sub.close(), pub.close()]);
  });

  Deno.test(`a resent QoS 2 PUBLISH is delivered once (${name})`, async () => {
    await using broker = new Broker();
    let delivered = 0;
    broker.on("message", () => delivered++);
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "q2" });
    client.send(publish("once/x", "x", { qos: 2, packetId: 9 }));
    await client.expect("pubrec");
    client.send(publish("once/x", "x", { qos: 2, packetId: 9, dup: true }));
    await client.expect("pubrec");
    client.send({ type: "pubrel", packetId: 9 });
    await client.expect("pubcomp");
    // The id is free again after PUBCOMP: a new message with it is a new message.
    client.send(publish("once/x", "y", { qos: 2, packetId: 9 }));
    await client.expect("pubrec");
    assert.equal(delivered, 2);
    await client.close();
  });

  Deno.test(`overlapping subscriptions deliver one copy at the highest QoS (${name})`, async () => {
    await using broker = new Broker();
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "overlap" });
    client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "ov/#", qos: 0 }, { topicFilter: "ov/+/x", qos: 2 }],
      properties: version === 5 ? { subscriptionIdentifier: 7 } : undefined,
    });
    await client.expect("suback");
    client.send(publish("ov/a/x", "m", { qos: 1, packetId: 1 }));
    const packets = [await client.next(), await client.next()];
    const message = packets.find((packet) => packet.type === "publish");
    assert.ok(message?.type === "publish");
    assert.equal(message.qos, 1);
    assert.ok(await client.quiet(), "a second copy arrived");
    await client.close();
  });

  Deno.test(`wildcards at the first level do not match $ topics (${name})`, async () => {
    await using broker = new Broker();
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "dollar" });
    client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [
        { topicFilter: "#", qos: 0 },
        { topicFilter: "+/info", qos: 0 },
        { topicFilter: "$SYS/#", qos: 0 },
      ],
    });
    await client.expect("suback");
    client.send(publish("$SYS/info", "sys"));
    client.send(publish("plain/info", "plain"));
    const first = await client.expect("publish");
    const second = await client.expect("publish");
    assert.deepEqual([first.topic, second.topic], ["$SYS/info", "plain/info"]);
    assert.ok(await client.quiet());
    await client.close();
  });

  Deno.test(`an unsubscribed filter receives nothing more (${name})`, async () => {
    await using broker = new Broker();
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "unsub" });
    client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "u/#", qos: 1 }],
    });
    await client.expect("suback");
    client.send({ type: "unsubscribe", packetId: 2, topicFilters: ["u/#", "never/subscribed"] });
    const unsuback = await client.expect("unsuback");
    assert.equal(unsuback.packetId, 2);
    if (version === 5) assert.deepEqual(unsuback.reasonCodes, [0x00, 0x11]);
    client.send(publish("u/1", "gone"));
    client.send({ type: "pingreq" });
    assert.equal((await client.next()).type, "pingresp");
    assert.equal(broker.stats().subscriptions, 0);
    await client.close();
  });

  Deno.test(`a refused subscription gets a failure code, the others are granted (${name})`, async () => {
    await using broker = new Broker({
      hooks: {
        authorizeSubscribe: ({ subscription }) => !subscription.topicFilter.startsWith("secret"),
      },
    });
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "refused" });
    client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "secret/#", qos: 1 }, { topicFilter: "open/#", qos: 1 }],
    });
    assert.deepEqual((await client.expect("suback")).reasonCodes, [version === 5 ? 0x87 : 0x80, 1]);
    await client.close();
  });

  Deno.test(`a second connection with the same client id takes the session over (${name})`, async () => {
    await using broker = new Broker();
    const { client: first } = await RawClient.connect(broker.connect(), version, {
      clientId: "same",
    });
    const { client: second, connack } = await RawClient.connect(broker.connect(), version, {
      clientId: "same",
      cleanStart: false,
    });
    assert.equal(connack.reasonCode, 0);
    const rest = await first.ended();
    if (version === 5) {
      assert.deepEqual(rest.map((p) => p.type === "disconnect" && p.reasonCode), [0x8e]);
    } else assert.deepEqual(rest, []);
    assert.equal(broker.stats().connections, 1);
    await second.close();
  });

  Deno.test(`packets a client must not send close the connection (${name})`, async () => {
    await using broker = new Broker();
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "bad" });
    client.send({ type: "connect", clientId: "bad", cleanStart: true, keepAlive: 0 });
    const rest = await client.ended();
    if (version === 5) {
      assert.deepEqual(rest.map((p) => p.type === "disconnect" && p.reasonCode), [0x82]);
    }
  });

  Deno.test(`a packet before CONNECT closes the connection (${name})`, async () => {
    await using broker = new Broker();
    const client = await RawClient.open(broker.connect(), version);
    client.send({ type: "pingreq" });
    assert.deepEqual(await client.ended(), []);
  });
}

Deno.test("an empty client id is assigned one in MQTT 5", async () => {
  await using broker = new Broker();
  const { client, connack } = await RawClient.connect(broker.connect(), 5, { clientId: "" });
  assert.equal(connack.reasonCode, 0);
  assert.match(connack.properties?.assignedClientIdentifier ?? "", /^tern-/);
  await client.close();
});

Deno.test("an empty client id is accepted with a clean session and refused without in MQTT 3.1.1", async () => {
  await using broker = new Broker();
  const { client, connack } = await RawClient.connect(broker.connect(), 4, { clientId: "" });
  assert.equal(connack.reasonCode, 0);
  await client.close();
  const refused = await RawClient.connect(broker.connect(), 4, { clientId: "", cleanStart: false });
  assert.equal(refused.connack.reasonCode, 2); // identifier rejected [MQTT-3.1.3-8]
  assert.deepEqual(await refused.client.ended(), []);
});

Deno.test("an unsupported protocol level gets CONNACK return code 1", async () => {
  await using broker = new Broker();
  const client = await RawClient.open(broker.connect(), 4);
  // CONNECT with protocol name "MQTT" and level 6, which no MQTT version has (the codec
  // reads MQTT 3.1's "MQIsdp" level 3 since issue #13).
  client.sendBytes(
    new Uint8Array([
      0x10,
      0x0f,
      0x00,
      0x04,
      ...new TextEncoder().encode("MQTT"),
      0x06,
      0x02,
      0x00,
      0x00,
      0x00,
      0x03,
      0x61,
      0x62,
      0x63,
    ]),
  );
  const rest = await client.ended();
  assert.deepEqual(rest.map((p) => p.type === "connack" && p.reasonCode), [1]);
});
