import assert from "node:assert/strict";
import {
  type ConnectionClosedError,
  ConnectionRefusedError,
  type InboundMessage,
  MqttClient,
} from "@tern/agent";
import { createTestBroker } from "./test_broker.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("the test broker records what each client sent and got, in order", async () => {
  await using broker = createTestBroker();
  const client = new MqttClient({ transport: broker.connect(), clientId: "app" });
  await client.start();
  await client.subscribe("in/#", { qos: 1 });
  await client.publish("out/1", "a", { qos: 1 });
  await client.stop();
  assert.deepEqual(
    broker.received.map(({ clientId, packet }) => `${clientId}:${packet.type}`),
    ["app:connect", "app:subscribe", "app:publish", "app:disconnect"],
  );
  assert.deepEqual(broker.sent.map(({ packet }) => packet.type), ["connack", "suback", "puback"]);
});

Deno.test("a refused CONNECT carries the reason code and reason string, once", async () => {
  await using broker = createTestBroker();
  broker.refuseConnect(0x87, { reasonString: "no entry" });
  const client = new MqttClient({ transport: broker.connect(), reconnect: false });
  const error = await client.start().catch((error) => error);
  assert.ok(error instanceof ConnectionRefusedError);
  assert.equal(error.reasonCode, 0x87);
  assert.match(error.message, /no entry/);
  // The broker itself never saw it; the next CONNECT goes through.
  assert.equal(broker.broker.stats().accepted, 1);
  const again = new MqttClient({ transport: broker.connect() });
  await again.start();
  await again.stop();
});

Deno.test("refuseConnect() rejects a reason code that is no refusal", () => {
  const broker = createTestBroker();
  assert.throws(() => broker.refuseConnect(0), /reason code must be 1 to 255, got 0/);
});

Deno.test("withheld acknowledgements arrive when released", async () => {
  await using broker = createTestBroker();
  const client = new MqttClient({ transport: broker.connect(), clientId: "app" });
  await client.start();
  const held = broker.withhold("puback");
  let done = false;
  const publishing = client.publish("a/b", "x", { qos: 1 }).then(() => done = true);
  await broker.waitForMessage("a/b");
  while (held.packets.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal(done, false);
  await held.release();
  await publishing;
  assert.equal(done, true);
  await client.stop();
});

Deno.test("a server DISCONNECT reaches the client with its reason code and string", async () => {
  await using broker = createTestBroker();
  const client = new MqttClient({ transport: broker.connect(), clientId: "app", reconnect: false });
  const closed = new Promise<ConnectionClosedError>((resolve) =>
    client.on("disconnection", ({ error }) => resolve(error))
  );
  await client.start();
  await broker.disconnect(0x98, { clientId: "app", reasonString: "moved" });
  const error = await closed;
  assert.equal(error.reasonCode, 0x98);
  assert.match(error.message, /moved/);
  await client.stop();
  await assert.rejects(broker.drop("nobody"), /Cannot drop: no client "nobody" is connected/);
});

Deno.test("waitForMessage() returns each matching message once and times out naming the topic", async () => {
  await using broker = createTestBroker();
  const client = new MqttClient({ transport: broker.connect() });
  await client.start();
  await client.publish("t/1", "first", { qos: 1 });
  await client.publish("t/2", "second", { qos: 1 });
  assert.equal(text((await broker.waitForMessage("t/+")).payload), "first");
  assert.equal(text((await broker.waitForMessage("t/+")).payload), "second");
  await assert.rejects(
    broker.waitForMessage("t/+", { timeoutMs: 10 }),
    /Timed out after 10 ms waiting for a message on "t\/\+"/,
  );
  await client.stop();
});

Deno.test("two clients talk through the test broker", async () => {
  await using broker = createTestBroker();
  const a = new MqttClient({ transport: broker.connect(), clientId: "a" });
  const b = new MqttClient({ transport: broker.connect(), clientId: "b" });
  await Promise.all([a.start(), b.start()]);
  const { promise: got, resolve } = Promise.withResolvers<InboundMessage>();
  await b.subscribe("chat", { handler: resolve });
  await a.publish("chat", "hi", { qos: 1 });
  assert.equal(text((await got).payload), "hi");
  assert.deepEqual(broker.clients().sort(), ["a", "b"]);
  await Promise.all([a.stop(), b.stop()]);
});
