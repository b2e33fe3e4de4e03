import assert from "node:assert/strict";
import { Broker } from "./broker.ts";
import { RawClient } from "./testdata/raw_client.ts";
import { label, publish, VERSIONS } from "./testdata/helpers.ts";

Deno.test("a Server Keep Alive replaces a keep-alive above the broker's maximum (MQTT 5)", async () => {
  await using broker = new Broker({ limits: { maxKeepAlive: 10 } });
  const { client, connack } = await RawClient.connect(broker.connect(), 5, {
    clientId: "ka",
    keepAlive: 0,
  });
  assert.equal(connack.properties?.serverKeepAlive, 10);
  await client.close();
  const within = await RawClient.connect(broker.connect(), 5, { clientId: "kb", keepAlive: 5 });
  assert.equal(within.connack.properties?.serverKeepAlive, undefined);
  await within.client.close();
});

Deno.test("by default a keep-alive over 60 s, or none, becomes a Server Keep Alive of 60 (MQTT 5)", async () => {
  await using broker = new Broker();
  for (const keepAlive of [120, 0]) {
    const { client, connack } = await RawClient.connect(broker.connect(), 5, {
      clientId: `k${keepAlive}`,
      keepAlive,
    });
    assert.equal(connack.properties?.serverKeepAlive, 60);
    await client.close();
  }
});

Deno.test("the broker sends no more unacknowledged QoS 1 messages than the client's Receive Maximum (MQTT 5)", async () => {
  await using broker = new Broker();
  const { client: sub } = await RawClient.connect(broker.connect(), 5, {
    clientId: "slow",
    properties: { receiveMaximum: 2 },
  });
  sub.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "fc/#", qos: 1 }] });
  await sub.expect("suback");
  const { client: pub } = await RawClient.connect(broker.connect(), 5, { clientId: "fast" });
  for (let i = 1; i <= 5; i++) pub.send(publish("fc/x", `m${i}`, { qos: 1, packetId: i }));
  for (let i = 1; i <= 5; i++) await pub.expect("puback");
  const first = [await sub.expect("publish"), await sub.expect("publish")];
  assert.ok(await sub.quiet(), "a third message came before an acknowledgement");
  sub.send({ type: "puback", packetId: first[0].packetId! });
  await sub.expect("publish");
  assert.ok(await sub.quiet());
  await Promise.all([sub.close(), pub.close()]);
});

Deno.test("a client exceeding the broker's Receive Maximum is disconnected with 0x93 (MQTT 5)", async () => {
  await using broker = new Broker({ limits: { receiveMaximum: 2 } });
  const { client, connack } = await RawClient.connect(broker.connect(), 5, { clientId: "greedy" });
  assert.equal(connack.properties?.receiveMaximum, 2);
  for (let i = 1; i <= 3; i++) client.send(publish("rm/x", "m", { qos: 2, packetId: i }));
  const rest = await client.ended();
  assert.deepEqual(
    rest.filter((p) => p.type === "disconnect").map((p) => p.type === "disconnect" && p.reasonCode),
    [0x93],
  );
});

Deno.test("a message larger than the client's Maximum Packet Size is not sent to it (MQTT 5)", async () => {
  await using broker = new Broker();
  const { client: sub } = await RawClient.connect(broker.connect(), 5, {
    clientId: "small",
    properties: { maximumPacketSize: 64 },
  });
  sub.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "mps/#", qos: 1 }] });
  await sub.expect("suback");
  const { client: pub } = await RawClient.connect(broker.connect(), 5, { clientId: "big" });
  pub.send(publish("mps/x", "x".repeat(100), { qos: 1, packetId: 1 }));
  pub.send(publish("mps/x", "fits", { qos: 1, packetId: 2 }));
  const message = await sub.expect("publish");
  assert.equal(message.payload.length, 4);
  await Promise.all([sub.close(), pub.close()]);
});

for (const version of VERSIONS) {
  const name = label(version);

  Deno.test(`a packet over the broker's Maximum Packet Size closes the connection (${name})`, async () => {
    await using broker = new Broker({ limits: { maximumPacketSize: 128 } });
    const { client, connack } = await RawClient.connect(broker.connect(), version, {
      clientId: "huge",
    });
    if (version === 5) assert.equal(connack.properties?.maximumPacketSize, 128);
    client.send(publish("big", "x".repeat(200)));
    const rest = await client.ended();
    if (version === 5) {
      assert.deepEqual(rest.map((p) => p.type === "disconnect" && p.reasonCode), [0x95]);
    }
  });

  Deno.test(`an offline session queues at most maxQueuedMessages (${name})`, async () => {
    await using broker = new Broker({ limits: { maxQueuedMessages: 3 } });
    const connect = version === 5
      ? { clientId: "bounded", properties: { sessionExpiryInterval: 60 } }
      : { clientId: "bounded", cleanStart: false };
    const first = await RawClient.connect(broker.connect(), version, connect);
    first.client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "b/#", qos: 1 }],
    });
    await first.client.expect("suback");
    await first.client.close();
    const { client: pub } = await RawClient.connect(broker.connect(), version, { clientId: "pub" });
    for (let i = 1; i <= 10; i++) pub.send(publish("b/x", `m${i}`, { qos: 1, packetId: i }));
    for (let i = 1; i <= 10; i++) await pub.expect("puback");
    const again = await RawClient.connect(broker.connect(), version, {
      ...connect,
      cleanStart: false,
    });
    let received = 0;
    for (
      let packet = await again.client.maybeNext(300);
      packet;
      packet = await again.client.maybeNext(300)
    ) {
      if (packet.type === "publish") {
        received++;
        again.client.send({ type: "puback", packetId: packet.packetId! });
      }
    }
    assert.equal(received, 3);
    await Promise.all([pub.close(), again.client.close()]);
  });

  Deno.test(`subscriptions beyond maxSubscriptions are refused (${name})`, async () => {
    await using broker = new Broker({ limits: { maxSubscriptions: 2 } });
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "many" });
    client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: ["a", "b", "c"].map((topicFilter) => ({ topicFilter, qos: 0 as const })),
    });
    assert.deepEqual((await client.expect("suback")).reasonCodes, [
      0,
      0,
      version === 5 ? 0x97 : 0x80,
    ]);
    await client.close();
  });

  Deno.test(`topics longer or deeper than the limits are refused (${name})`, async () => {
    await using broker = new Broker({ limits: { maxTopicLevels: 3, maxTopicLength: 20 } });
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "deep" });
    client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "a/b/c/d", qos: 0 }, { topicFilter: "x".repeat(21), qos: 0 }],
    });
    const failure = version === 5 ? 0x8f : 0x80;
    assert.deepEqual((await client.expect("suback")).reasonCodes, [failure, failure]);
    client.send(publish("a/b/c/d", "too deep"));
    const rest = await client.ended();
    if (version === 5) {
      assert.deepEqual(rest.map((p) => p.type === "disconnect" && p.reasonCode), [0x90]);
    }
  });

  Deno.test(`connections beyond maxConnections are closed before CONNECT (${name})`, async () => {
    await using broker = new Broker({ limits: { maxConnections: 1 } });
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "one" });
    const extra = await RawClient.open(broker.connect(), version);
    assert.deepEqual(await extra.ended(), []);
    await client.close();
  });
}

Deno.test("a connection that sends no CONNECT in time is closed", async () => {
  await using broker = new Broker({ limits: { connectTimeoutMs: 100 } });
  const client = await RawClient.open(broker.connect(), 5);
  assert.deepEqual(await client.ended(), []);
});
