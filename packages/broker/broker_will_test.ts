import assert from "node:assert/strict";
import type { ProtocolVersion } from "@tern/codec";
import { Broker } from "./broker.ts";
import { RawClient } from "./testdata/raw_client.ts";
import { bytes, label, text, VERSIONS } from "./testdata/helpers.ts";

async function watcher(broker: Broker, version: ProtocolVersion): Promise<RawClient> {
  const { client } = await RawClient.connect(broker.connect(), version, { clientId: "watcher" });
  client.send({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "will/#", qos: 1 }],
  });
  await client.expect("suback");
  return client;
}

const will = { topic: "will/gone", payload: bytes("bye"), qos: 1 as const, retain: false };

for (const version of VERSIONS) {
  const name = label(version);

  Deno.test(`the will is published when the connection ends without DISCONNECT (${name})`, async () => {
    await using broker = new Broker();
    const watching = await watcher(broker, version);
    const { client } = await RawClient.connect(broker.connect(), version, {
      clientId: "dies",
      will,
    });
    await client.close();
    const message = await watching.expect("publish");
    assert.deepEqual([message.topic, text(message.payload)], ["will/gone", "bye"]);
    await watching.close();
  });

  Deno.test(`a normal DISCONNECT discards the will (${name})`, async () => {
    await using broker = new Broker();
    const watching = await watcher(broker, version);
    const { client } = await RawClient.connect(broker.connect(), version, {
      clientId: "leaves",
      will,
    });
    client.send({ type: "disconnect" });
    await client.ended();
    assert.ok(await watching.quiet());
    await watching.close();
  });

  Deno.test(`a keep-alive timeout closes the connection and publishes the will (${name})`, async () => {
    await using broker = new Broker();
    const watching = await watcher(broker, version);
    const { client } = await RawClient.connect(broker.connect(), version, {
      clientId: "silent",
      keepAlive: 1,
      will,
    });
    const rest = await client.ended();
    if (version === 5) {
      assert.deepEqual(rest.map((p) => p.type === "disconnect" && p.reasonCode), [0x8d]);
    }
    assert.equal((await watching.expect("publish")).topic, "will/gone");
    await watching.close();
  });
}

Deno.test("DISCONNECT with reason 0x04 publishes the will (MQTT 5)", async () => {
  await using broker = new Broker();
  const watching = await watcher(broker, 5);
  const { client } = await RawClient.connect(broker.connect(), 5, { clientId: "asks", will });
  client.send({ type: "disconnect", reasonCode: 0x04 });
  await client.ended();
  assert.equal((await watching.expect("publish")).topic, "will/gone");
  await watching.close();
});

Deno.test("a delayed will is cancelled by a reconnect within the delay, and published after it otherwise (MQTT 5)", async () => {
  await using broker = new Broker();
  const watching = await watcher(broker, 5);
  const delayed = { ...will, properties: { willDelayInterval: 1 } };
  const connect = { clientId: "delayed", will: delayed, properties: { sessionExpiryInterval: 60 } };
  const first = await RawClient.connect(broker.connect(), 5, connect);
  await first.client.close();
  const back = await RawClient.connect(broker.connect(), 5, { ...connect, cleanStart: false });
  assert.equal(back.connack.sessionPresent, true);
  await back.client.close();
  const message = await watching.expect("publish");
  assert.equal(message.topic, "will/gone");
  // Only the second connection's will: the first was cancelled by the reconnect.
  watching.send({ type: "puback", packetId: message.packetId! });
  assert.ok(await watching.quiet(1500));
  await watching.close();
});

Deno.test("a delayed will is published when the session ends first (MQTT 5)", async () => {
  await using broker = new Broker();
  const watching = await watcher(broker, 5);
  const { client } = await RawClient.connect(broker.connect(), 5, {
    clientId: "short-session",
    will: { ...will, properties: { willDelayInterval: 3600 } },
    properties: { sessionExpiryInterval: 1 },
  });
  await client.close();
  assert.equal((await watching.expect("publish")).topic, "will/gone");
  await watching.close();
});

Deno.test("a session takeover publishes the old connection's will (MQTT 5)", async () => {
  await using broker = new Broker();
  const watching = await watcher(broker, 5);
  const first = await RawClient.connect(broker.connect(), 5, { clientId: "twin", will });
  const second = await RawClient.connect(broker.connect(), 5, { clientId: "twin" });
  await first.client.ended();
  assert.equal((await watching.expect("publish")).topic, "will/gone");
  await Promise.all([watching.close(), second.client.close()]);
});
