import assert from "node:assert/strict";
import type { ConnectPacket, ProtocolVersion } from "@tern/codec";
import { Broker } from "./broker.ts";
import { RawClient } from "./testdata/raw_client.ts";
import { label, publish, text, VERSIONS } from "./testdata/helpers.ts";

/**
 * CONNECT fields asking for a session that outlives the connection. MQTT 3.1.1 has no
 * separate Clean Start: Clean Session 0 resumes or creates.
 */
function persistent(
  version: ProtocolVersion,
  clientId: string,
  cleanStart = false,
): Partial<ConnectPacket> {
  return version === 5
    ? { clientId, cleanStart, properties: { sessionExpiryInterval: 60 } }
    : { clientId, cleanStart: false };
}

for (const version of VERSIONS) {
  const name = label(version);

  Deno.test(`messages for an offline persistent session are queued and delivered on reconnect (${name})`, async () => {
    await using broker = new Broker();
    const first = await RawClient.connect(
      broker.connect(),
      version,
      persistent(version, "offline", true),
    );
    assert.equal(first.connack.sessionPresent, false);
    first.client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "q/#", qos: 1 }],
    });
    await first.client.expect("suback");
    first.client.send({ type: "disconnect" });
    await first.client.ended();

    const { client: pub } = await RawClient.connect(broker.connect(), version, { clientId: "pub" });
    for (let i = 0; i < 3; i++) {
      pub.send(publish("q/x", `m${i}`, { qos: 1, packetId: i + 1 }));
      await pub.expect("puback");
    }
    pub.send(publish("q/x", "qos0 is not queued", { qos: 0 }));

    const again = await RawClient.connect(
      broker.connect(),
      version,
      persistent(version, "offline"),
    );
    assert.equal(again.connack.sessionPresent, true);
    const received = [];
    for (let i = 0; i < 3; i++) {
      const message = await again.client.expect("publish");
      received.push(text(message.payload));
      again.client.send({ type: "puback", packetId: message.packetId! });
    }
    assert.deepEqual(received, ["m0", "m1", "m2"]);
    assert.ok(await again.client.quiet());
    await Promise.all([pub.close(), again.client.close()]);
  });

  Deno.test(`unacknowledged messages are redelivered with DUP on reconnect, PUBREL resent (${name})`, async () => {
    await using broker = new Broker();
    const first = await RawClient.connect(
      broker.connect(),
      version,
      persistent(version, "redeliver", true),
    );
    first.client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "r/#", qos: 2 }],
    });
    await first.client.expect("suback");
    first.client.send(publish("r/1", "one", { qos: 1, packetId: 1 }));
    first.client.send(publish("r/2", "two", { qos: 2, packetId: 2 }));
    const packets = [];
    while (packets.filter((p) => p.type === "publish").length < 2) {
      packets.push(await first.client.next());
    }
    const two = packets.find((p) => p.type === "publish" && p.topic === "r/2")!;
    assert.ok(two.type === "publish");
    first.client.send({ type: "pubrec", packetId: two.packetId! });
    while ((await first.client.next()).type !== "pubrel");
    await first.client.close(); // no PUBACK for r/1, no PUBCOMP for r/2

    const again = await RawClient.connect(
      broker.connect(),
      version,
      persistent(version, "redeliver"),
    );
    assert.equal(again.connack.sessionPresent, true);
    const resent = await again.client.expect("publish");
    assert.deepEqual([resent.topic, resent.dup], ["r/1", true]);
    assert.equal((await again.client.expect("pubrel")).packetId, two.packetId);
    await again.client.close();
  });

  Deno.test(`a clean start discards the previous session (${name})`, async () => {
    await using broker = new Broker();
    const first = await RawClient.connect(
      broker.connect(),
      version,
      persistent(version, "clean", true),
    );
    first.client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "c/#", qos: 1 }],
    });
    await first.client.expect("suback");
    await first.client.close();
    const again = await RawClient.connect(broker.connect(), version, {
      ...persistent(version, "clean"),
      cleanStart: true,
    });
    assert.equal(again.connack.sessionPresent, false);
    assert.equal(broker.stats().subscriptions, 0);
    await again.client.close();
  });
}

Deno.test("a session ends when its Session Expiry Interval runs out (MQTT 5)", async () => {
  await using broker = new Broker();
  const ended = Promise.withResolvers<void>();
  const first = await RawClient.connect(broker.connect(), 5, {
    clientId: "expiring",
    properties: { sessionExpiryInterval: 1 },
  });
  first.client.send({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "e/#", qos: 1 }],
  });
  await first.client.expect("suback");
  await first.client.close();
  assert.equal(broker.stats().sessions, 1);
  const poll = setInterval(() => broker.stats().sessions === 0 && ended.resolve(), 50);
  await ended.promise;
  clearInterval(poll);
  const again = await RawClient.connect(broker.connect(), 5, {
    clientId: "expiring",
    cleanStart: false,
  });
  assert.equal(again.connack.sessionPresent, false);
  await again.client.close();
});

Deno.test("a session with expiry 0 ends with its connection, and DISCONNECT may extend a non-zero one (MQTT 5)", async () => {
  await using broker = new Broker();
  const short = await RawClient.connect(broker.connect(), 5, { clientId: "zero" });
  await short.client.close();
  assert.equal(broker.stats().sessions, 0);
  const long = await RawClient.connect(broker.connect(), 5, {
    clientId: "extend",
    properties: { sessionExpiryInterval: 1 },
  });
  long.client.send({
    type: "disconnect",
    reasonCode: 0,
    properties: { sessionExpiryInterval: 3600 },
  });
  await long.client.ended();
  const again = await RawClient.connect(broker.connect(), 5, {
    clientId: "extend",
    cleanStart: false,
  });
  assert.equal(again.connack.sessionPresent, true);
  // [MQTT-3.14.2-2] expiry 0 on CONNECT cannot become non-zero on DISCONNECT.
  const zero = await RawClient.connect(broker.connect(), 5, { clientId: "zero" });
  zero.client.send({
    type: "disconnect",
    reasonCode: 0,
    properties: { sessionExpiryInterval: 10 },
  });
  const rest = await zero.client.ended();
  assert.deepEqual(rest.map((p) => p.type === "disconnect" && p.reasonCode), [0x82]);
  await again.client.close();
});

Deno.test("a queued message whose expiry passed is not delivered, others carry the remaining time (MQTT 5)", async () => {
  await using broker = new Broker();
  const first = await RawClient.connect(broker.connect(), 5, {
    clientId: "expiry",
    properties: { sessionExpiryInterval: 60 },
  });
  first.client.send({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "x/#", qos: 1 }],
  });
  await first.client.expect("suback");
  await first.client.close();
  const { client: pub } = await RawClient.connect(broker.connect(), 5, { clientId: "pub" });
  pub.send(
    publish("x/short", "gone", { qos: 1, packetId: 1, properties: { messageExpiryInterval: 1 } }),
  );
  pub.send(
    publish("x/long", "kept", { qos: 1, packetId: 2, properties: { messageExpiryInterval: 100 } }),
  );
  await pub.expect("puback");
  await pub.expect("puback");
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const again = await RawClient.connect(broker.connect(), 5, {
    clientId: "expiry",
    cleanStart: false,
  });
  const message = await again.client.expect("publish");
  assert.equal(message.topic, "x/long");
  const remaining = message.properties?.messageExpiryInterval ?? 0;
  assert.ok(remaining > 0 && remaining < 100, `remaining ${remaining}`);
  await Promise.all([pub.close(), again.client.close()]);
});
