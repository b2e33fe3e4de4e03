import assert from "node:assert/strict";
import {
  Backoff,
  type ConnectionClosedError,
  MessageExpiredError,
  MqttClient,
  TimeoutError,
} from "@tern/agent";
import { createTestBroker } from "./test_broker.ts";
import { createTestClock } from "./test_clock.ts";

const count = (broker: { received: { packet: { type: string } }[] }, type: string) =>
  broker.received.filter(({ packet }) => packet.type === type).length;

Deno.test("timers fire in deadline order, each at its deadline, and cleared ones never", async () => {
  const clock = createTestClock();
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
  clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
  const cleared = clock.setTimeout(() => fired.push("never"), 150);
  clock.clearTimeout(cleared);
  // A timer set by a timer fires within the same advance when it falls inside it.
  clock.setTimeout(() => clock.setTimeout(() => fired.push(`c@${clock.now()}`), 50), 120);
  await clock.advance(250);
  assert.deepEqual(fired, ["a@100", "c@170", "b@200"]);
  assert.equal(clock.now(), 250);
  assert.equal(clock.pending, 0);
});

Deno.test("advance() refuses a negative or non-numeric step", async () => {
  const clock = createTestClock();
  await assert.rejects(clock.advance(-1), /ms must be >= 0, got -1/);
  await assert.rejects(clock.advance(NaN), /got NaN/);
  assert.equal(clock.now(), 0);
});

Deno.test("runAll() fires every timer and rejects on a timer that keeps setting the next", async () => {
  const clock = createTestClock();
  let fired = 0;
  clock.setTimeout(() => fired++, 10_000);
  clock.setTimeout(() => fired++, 20_000);
  await clock.runAll();
  assert.equal(fired, 2);
  assert.equal(clock.now(), 20_000);
  const again = () => void clock.setTimeout(again, 1000);
  again();
  await assert.rejects(clock.runAll({ limit: 5 }), /still 1 set after 5 fired/);
});

Deno.test("keep-alive PINGREQs follow the test clock", async () => {
  await using broker = createTestBroker();
  const clock = createTestClock();
  const client = new MqttClient({ transport: broker.connect(), keepAlive: 10, clock });
  await client.start();
  await clock.advance(9_999);
  assert.equal(count(broker, "pingreq"), 0);
  await clock.advance(1);
  assert.equal(count(broker, "pingreq"), 1);
  await clock.advance(20_000);
  assert.equal(count(broker, "pingreq"), 3);
  assert.equal(count(broker, "connect"), 1);
  await client.stop();
});

Deno.test("a withheld PINGRESP loses the connection after the ping timeout on the test clock", async () => {
  await using broker = createTestBroker();
  const clock = createTestClock();
  const client = new MqttClient({
    transport: broker.connect(),
    keepAlive: 10,
    pingTimeoutMs: 3_000,
    reconnect: false,
    clock,
  });
  const lost: ConnectionClosedError[] = [];
  client.on("disconnection", ({ error }) => void lost.push(error));
  await client.start();
  broker.withhold("pingresp");
  await clock.advance(12_999);
  assert.equal(lost.length, 0);
  await clock.advance(1);
  assert.equal(lost.length, 1);
  await client.stop();
});

Deno.test("an acknowledgement timeout follows the test clock", async () => {
  await using broker = createTestBroker();
  const clock = createTestClock();
  const client = new MqttClient({ transport: broker.connect(), ackTimeoutMs: 5_000, clock });
  await client.start();
  const held = broker.withhold("puback");
  const publishing = client.publish("a/b", "x", { qos: 1 });
  // Watched before time moves: it rejects inside advance().
  const timedOut = assert.rejects(publishing, TimeoutError);
  await broker.waitForPacket("publish");
  await clock.advance(5_000);
  await timedOut;
  assert.equal(held.packets.length, 1);
  held.discard();
  await client.stop();
});

Deno.test("an operation's timeoutMs follows the test clock", async () => {
  await using broker = createTestBroker();
  const clock = createTestClock();
  const client = new MqttClient({ transport: broker.connect(), clock });
  await client.start();
  broker.withhold("pubcomp");
  const publishing = client.publish("a/b", "x", { qos: 2, timeoutMs: 2_000 });
  const timedOut = assert.rejects(publishing, /no outcome within 2000 ms/);
  await clock.advance(1_999);
  assert.equal(count(broker, "pubrel"), 1);
  await clock.advance(1);
  await timedOut;
  await client.stop();
});

Deno.test("a request() without a response times out on the test clock", async () => {
  await using broker = createTestBroker();
  const clock = createTestClock();
  const client = await broker.startClient({ clock });
  const timedOut = assert.rejects(
    client.request("svc/nobody", "ping", { timeoutMs: 30_000 }),
    /no response within 30000 ms/,
  );
  await broker.waitForPacket("publish");
  await clock.advance(30_000);
  await timedOut;
});

Deno.test("a refused SUBSCRIBE is retried after the retry policy's delay on the test clock", async () => {
  let refusals = 1;
  await using broker = createTestBroker({
    hooks: { authorizeSubscribe: () => refusals-- > 0 ? { reasonCode: 0x87 } : true },
  });
  const clock = createTestClock();
  const client = await broker.startClient({ clock });
  const subscription = client.subscribe("a/#", {
    qos: 1,
    retry: { nextDelay: () => 45_000 },
    handler: () => {},
  });
  await broker.waitForPacket("subscribe");
  await clock.advance(44_999);
  assert.equal(count(broker, "subscribe"), 1);
  await clock.advance(1);
  await subscription;
  assert.equal(count(broker, "subscribe"), 2);
});

Deno.test("the reconnect backoff waits on the test clock", async () => {
  await using broker = createTestBroker();
  const clock = createTestClock();
  const client = new MqttClient({
    transport: broker.connect(),
    clientId: "app",
    // No jitter: the delays are 10 s, then 20 s.
    reconnect: new Backoff({ minDelayMs: 10_000, maxDelayMs: 60_000, jitter: "none" }),
    clock,
  });
  await client.start();
  broker.refuseConnect(0x88, { times: 1 });
  await broker.drop("app");
  await clock.advance(9_999);
  assert.equal(count(broker, "connect"), 1);
  await clock.advance(1);
  assert.equal(count(broker, "connect"), 2); // refused: the next wait is longer
  await clock.advance(19_999);
  assert.equal(count(broker, "connect"), 2);
  await clock.advance(1);
  assert.equal(count(broker, "connect"), 3);
  assert.deepEqual(broker.clients(), ["app"]);
  await client.stop();
});

Deno.test("a queued publish expires offline on the test clock", async () => {
  await using broker = createTestBroker();
  const clock = createTestClock();
  const client = new MqttClient({
    transport: broker.connect(),
    clientId: "app",
    reconnect: { nextDelay: () => 60_000 },
    clock,
  });
  await client.start();
  await broker.drop("app");
  const expiring = client.publish("a/b", "x", {
    qos: 1,
    properties: { messageExpiryInterval: 30 },
  });
  const expired = assert.rejects(expiring, MessageExpiredError);
  const lasting = client.publish("a/c", "y", { qos: 1 });
  await clock.advance(60_000);
  await expired;
  await lasting;
  assert.deepEqual(broker.messages.map(({ topic }) => topic), ["a/c"]);
  await client.stop();
});
