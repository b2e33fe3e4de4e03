import assert from "node:assert/strict";
import { MemoryBus, until } from "./_memory_bus.ts";
import { SHADOW_SERVICE_FILTER, ShadowService } from "./shadow_service.ts";

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

/** Publishes a request and a sentinel get, and returns what the service published before the sentinel's answer. */
async function exchange(
  bus: MemoryBus,
  service: ReturnType<MemoryBus["connect"]>,
  topic: string,
  body: unknown,
) {
  const client = bus.connect();
  const before = service.published.length;
  const sentinel = new Promise<void>((resolve) => {
    client.subscribe("$aws/things/sentinel/shadow/get/rejected", () => resolve(), { qos: 1 });
  });
  await client.publish(topic, encode(body), { qos: 1 });
  await client.publish("$aws/things/sentinel/shadow/get", new Uint8Array(), { qos: 1 });
  await sentinel;
  return service.published.slice(before).filter((m) => !m.topic.includes("/sentinel/"));
}

Deno.test("ShadowService subscribes to $aws/things/+/shadow/# at QoS 1 (§1.10)", async () => {
  const bus = new MemoryBus();
  const connection = bus.connect();
  await using _service = await ShadowService.start(connection);
  assert.deepStrictEqual(connection.subscribed, [{ filter: SHADOW_SERVICE_FILTER, qos: 1 }]);
});

Deno.test("ShadowService publishes accepted, delta and documents at QoS 1, in that order, with its clock (§1.2)", async () => {
  const bus = new MemoryBus();
  const connection = bus.connect();
  await using _service = await ShadowService.start(connection, { now: () => 1700000042_000 });
  const out = await exchange(bus, connection, "$aws/things/lamp1/shadow/update", {
    state: { desired: { on: true } },
  });
  assert.deepStrictEqual(out.map((m) => [m.topic, m.qos]), [
    ["$aws/things/lamp1/shadow/update/accepted", 1],
    ["$aws/things/lamp1/shadow/update/delta", 1],
    ["$aws/things/lamp1/shadow/update/documents", 1],
  ]);
  assert.equal(decode(out[0].payload).timestamp, 1700000042);
});

Deno.test("ShadowService re-subscribes after a reconnect that lost the session", async () => {
  const bus = new MemoryBus();
  const connection = bus.connect();
  await using _service = await ShadowService.start(connection);
  connection.loseSession();
  await until(() => connection.subscriptions.size === 1, "the service re-subscribed");
  const out = await exchange(bus, connection, "$aws/things/lamp1/shadow/get", {});
  assert.deepStrictEqual(out.map((m) => m.topic), ["$aws/things/lamp1/shadow/get/rejected"]);
  assert.equal(connection.subscribed.length, 2);
});

Deno.test("ShadowService.stop() unsubscribes; later requests go unanswered", async () => {
  const bus = new MemoryBus();
  const connection = bus.connect();
  const service = await ShadowService.start(connection);
  await service.stop();
  await service.stop();
  assert.equal(connection.subscriptions.size, 0);
});

Deno.test("ShadowService reports responses it cannot publish to onError and keeps serving", async () => {
  const bus = new MemoryBus();
  const connection = bus.connect();
  const errors: unknown[] = [];
  await using _service = await ShadowService.start(connection, {
    onError: (error) => errors.push(error),
  });
  connection.failPublish = new Error("broker gone");
  const client = bus.connect();
  await client.publish("$aws/things/lamp1/shadow/get", new Uint8Array(), { qos: 1 });
  await until(() => errors.length === 1, "the error was reported");
  assert.deepStrictEqual(errors, [new Error("broker gone")]);
  connection.failPublish = undefined;
  const out = await exchange(bus, connection, "$aws/things/lamp1/shadow/get", {});
  assert.equal(out.length, 1);
});

Deno.test("ShadowService keeps shadows in the store it is given", async () => {
  const { SqliteShadowStore } = await import("./sqlite_store.ts");
  using store = new SqliteShadowStore({ path: ":memory:" });
  const bus = new MemoryBus();
  const connection = bus.connect();
  {
    await using _service = await ShadowService.start(connection, { store });
    await exchange(bus, connection, "$aws/things/lamp1/shadow/update", {
      state: { reported: { a: 1 } },
    });
  }
  assert.equal(store.get({ thingName: "lamp1" })?.version, 1);
});
