import assert from "node:assert/strict";
import { MemoryBus, until } from "./_memory_bus.ts";
import type { JsonObject, ShadowDeltaEvent } from "./document.ts";
import { ShadowError, ShadowTimeoutError } from "./errors.ts";
import { ShadowClient } from "./shadow_client.ts";
import { ShadowService } from "./shadow_service.ts";

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function setup(options: { now?: () => number } = {}) {
  const bus = new MemoryBus();
  const service = await ShadowService.start(bus.connect(), { now: options.now });
  const connection = bus.connect();
  const shadow = new ShadowClient(connection, { thingName: "lamp1", shadowName: "cfg" });
  return {
    bus,
    connection,
    shadow,
    async [Symbol.asyncDispose]() {
      await shadow.close();
      await service.stop();
    },
  };
}

Deno.test("ShadowClient.update() resolves with update/accepted, correlated by a generated UUID clientToken", async () => {
  await using t = await setup({ now: () => 1700000000_000 });
  const accepted = await t.shadow.update({ reported: { on: false } });
  assert.match(accepted.clientToken ?? "", UUID);
  assert.deepStrictEqual({ ...accepted, clientToken: "" }, {
    state: { reported: { on: false } },
    metadata: { reported: { on: { timestamp: 1700000000 } } },
    version: 1,
    timestamp: 1700000000,
    clientToken: "",
  });
  const request = t.connection.published.find((m) => m.topic.endsWith("/update"))!;
  assert.equal(request.topic, "$aws/things/lamp1/shadow/name/cfg/update");
  assert.equal(request.qos, 1);
  assert.deepStrictEqual(decode(request.payload), {
    state: { reported: { on: false } },
    clientToken: accepted.clientToken,
  });
});

Deno.test("ShadowClient.update() sends version only when given, and state null as null (§1.3)", async () => {
  await using t = await setup();
  await t.shadow.update({ desired: { a: 1 } });
  await t.shadow.update(null, { version: 1 });
  const bodies = t.connection.published.filter((m) => m.topic.endsWith("/update")).map((m) =>
    decode(m.payload)
  );
  assert.deepStrictEqual(bodies.map((b) => ({ ...b, clientToken: undefined })), [
    { state: { desired: { a: 1 } }, clientToken: undefined },
    { state: null, version: 1, clientToken: undefined },
  ]);
  assert.deepStrictEqual((await t.shadow.get()).state, {});
});

Deno.test("ShadowClient.get() and delete() resolve with their accepted documents", async () => {
  await using t = await setup({ now: () => 1700000005_000 });
  await t.shadow.update({ desired: { on: true } });
  const got = await t.shadow.get();
  assert.deepStrictEqual(got.state, { desired: { on: true }, delta: { on: true } });
  assert.equal(got.version, 1);
  const deleted = await t.shadow.delete();
  assert.equal(deleted.version, 1);
  assert.equal(deleted.timestamp, 1700000005);
  assert.match(deleted.clientToken ?? "", UUID);
});

Deno.test("ShadowClient rejects with ShadowError carrying the service's code and message", async () => {
  await using t = await setup();
  await assert.rejects(t.shadow.get(), (error: unknown) => {
    assert.ok(error instanceof ShadowError);
    assert.equal(error.code, 404);
    assert.equal(error.message, "No shadow exists with name: 'cfg'");
    assert.match(error.clientToken ?? "", UUID);
    return true;
  });
  await assert.rejects(t.shadow.delete(), { name: "ShadowError", code: 404 });
  await t.shadow.update({ reported: { a: 1 } });
  await assert.rejects(t.shadow.update({ reported: { a: 2 } }, { version: 9 }), {
    name: "ShadowError",
    code: 409,
    message: "Version conflict",
  });
  await assert.rejects(t.shadow.update({ reported: { big: "x".repeat(9000) } }), {
    code: 413,
    message: "The payload exceeds the maximum size allowed",
  });
  await assert.rejects(t.shadow.update({ reported: { list: [null] } } as never), { code: 400 });
});

Deno.test("ShadowClient surfaces every documented code (401, 403, 429, 500) as ShadowError", async () => {
  const bus = new MemoryBus();
  const service = bus.connect();
  const codes = [401, 403, 429, 500];
  let next = 0;
  const subscription = await service.subscribe("$aws/things/lamp1/shadow/get", (message) => {
    const { clientToken } = decode(message.payload);
    const code = codes[next++];
    service.publish(
      "$aws/things/lamp1/shadow/get/rejected",
      encode({ code, message: `message ${code}`, clientToken }),
      { qos: 1 },
    );
  }, { qos: 1 });
  await using shadow = new ShadowClient(bus.connect(), { thingName: "lamp1" });
  for (const code of codes) {
    await assert.rejects(shadow.get(), { name: "ShadowError", code, message: `message ${code}` });
  }
  await subscription.unsubscribe();
});

Deno.test("ShadowClient: concurrent updates with one version settle separately, one accepted and the others 409", async () => {
  await using t = await setup();
  await t.shadow.update({ desired: { n: 0 } });
  const results = await Promise.allSettled(
    [1, 2, 3, 4, 5].map((n) => t.shadow.update({ desired: { n } }, { version: 1 })),
  );
  const accepted = results.filter((r) => r.status === "fulfilled");
  const rejected = results.filter((r) => r.status === "rejected");
  assert.equal(accepted.length, 1);
  assert.equal(rejected.length, 4);
  for (const r of rejected) assert.equal((r as PromiseRejectedResult).reason.code, 409);
  // Each promise got its own response: the accepted echo is the state that promise sent.
  const winner = results.findIndex((r) => r.status === "fulfilled");
  assert.deepStrictEqual(
    (results[winner] as PromiseFulfilledResult<{ state: unknown }>).value.state,
    { desired: { n: winner + 1 } },
  );
  const tokens = new Set(
    results.map((r) =>
      r.status === "fulfilled" ? r.value.clientToken : (r.reason as ShadowError).clientToken
    ),
  );
  assert.equal(tokens.size, 5);
});

Deno.test("ShadowClient: responses to another client's requests never settle ours", async () => {
  await using t = await setup();
  await using other = new ShadowClient(t.bus.connect(), { thingName: "lamp1", shadowName: "cfg" });
  const [mine, theirs] = await Promise.all([
    t.shadow.update({ reported: { who: "mine" } }),
    other.update({ reported: { who: "theirs" } }),
  ]);
  assert.deepStrictEqual(mine.state, { reported: { who: "mine" } });
  assert.deepStrictEqual(theirs.state, { reported: { who: "theirs" } });
});

Deno.test("ShadowClient subscribes to the response topics once and reuses them", async () => {
  await using t = await setup();
  for (let i = 0; i < 3; i++) await t.shadow.update({ reported: { i } });
  await t.shadow.get();
  await t.shadow.get();
  await t.shadow.delete();
  assert.deepStrictEqual(t.connection.subscribed, [
    { filter: "$aws/things/lamp1/shadow/name/cfg/update/accepted", qos: 1 },
    { filter: "$aws/things/lamp1/shadow/name/cfg/update/rejected", qos: 1 },
    { filter: "$aws/things/lamp1/shadow/name/cfg/get/+", qos: 1 },
    { filter: "$aws/things/lamp1/shadow/name/cfg/delete/+", qos: 1 },
  ]);
});

Deno.test("ShadowClient restores its subscriptions after a reconnect that lost the session", async () => {
  await using t = await setup();
  const deltas = await t.shadow.deltas();
  await t.shadow.update({ reported: { on: false } });
  t.connection.loseSession();
  assert.equal(t.connection.subscriptions.size, 0);
  // Wait until the client re-subscribed all three filters (an event, not a delay).
  await until(() => t.connection.subscriptions.size === 3, "the client re-subscribed");
  await t.shadow.update({ desired: { on: true } });
  const { value } = await deltas.next();
  assert.deepStrictEqual(value?.state, { on: true });
  assert.deepStrictEqual(
    t.connection.subscribed.map((s) => s.filter.split("/cfg/")[1]),
    [
      "update/delta",
      "update/accepted",
      "update/rejected",
      "update/delta",
      "update/accepted",
      "update/rejected",
    ],
  );
  await deltas.return!();
});

Deno.test("ShadowClient rejects with ShadowTimeoutError when no response comes", async () => {
  await using t = await setup();
  t.bus.blackholes.add("$aws/things/+/shadow/name/cfg/get");
  await assert.rejects(t.shadow.get({ timeoutMs: 1 }), (error: unknown) => {
    assert.ok(error instanceof ShadowTimeoutError);
    assert.equal(error.message, "Cannot get shadow: no response within 1 ms");
    return true;
  });
});

Deno.test("ShadowClient rejects with the signal's reason when aborted, before or during a request", async () => {
  await using t = await setup();
  await assert.rejects(t.shadow.get({ signal: AbortSignal.abort(new Error("early")) }), {
    message: "early",
  });
  t.bus.blackholes.add("$aws/things/+/shadow/name/cfg/update");
  const controller = new AbortController();
  const pending = t.shadow.update({ reported: { a: 1 } }, { signal: controller.signal });
  await until(() => t.connection.published.some((m) => m.topic.endsWith("/update")), "published");
  controller.abort(new Error("changed my mind"));
  await assert.rejects(pending, { message: "changed my mind" });
});

Deno.test("ShadowClient.close() rejects pending requests and refuses new ones", async () => {
  await using t = await setup();
  t.bus.blackholes.add("$aws/things/+/shadow/name/cfg/get");
  const pending = t.shadow.get();
  await until(() => t.connection.published.some((m) => m.topic.endsWith("/get")), "published");
  await t.shadow.close();
  await assert.rejects(pending, { message: "Cannot get shadow: the client was closed" });
  await assert.rejects(t.shadow.update({}), {
    message: "Cannot update shadow: the shadow client is closed",
  });
  await assert.rejects(t.shadow.deltas(), {
    message: "Cannot listen to update/delta: the shadow client is closed",
  });
  assert.equal(t.connection.subscriptions.size, 0);
});

Deno.test("ShadowClient passes a failed publish on to the caller", async () => {
  await using t = await setup();
  t.connection.failPublish = new Error("connection lost");
  await assert.rejects(t.shadow.get(), { message: "connection lost" });
});

Deno.test("ShadowClient validates its arguments", async () => {
  const bus = new MemoryBus();
  assert.throws(() => new ShadowClient(bus.connect(), { thingName: "a/b" }), TypeError);
  assert.throws(
    () => new ShadowClient(bus.connect(), { thingName: "a", shadowName: "" }),
    TypeError,
  );
  assert.throws(
    () => new ShadowClient(bus.connect(), { thingName: "a", timeoutMs: 0 }),
    RangeError,
  );
  await using shadow = new ShadowClient(bus.connect(), { thingName: "a" });
  await assert.rejects(shadow.update("on" as never), TypeError);
  await assert.rejects(shadow.update({}, { version: -1 }), RangeError);
  await assert.rejects(shadow.update({}, { version: 1.5 }), RangeError);
  await assert.rejects(shadow.get({ timeoutMs: -5 }), RangeError);
});

Deno.test("ShadowClient.deltas() yields every delta in order and ends on abort", async () => {
  await using t = await setup();
  await using app = new ShadowClient(t.bus.connect(), { thingName: "lamp1", shadowName: "cfg" });
  const controller = new AbortController();
  const deltas = await t.shadow.deltas({ signal: controller.signal });
  await app.update({ desired: { a: 1 } });
  await app.update({ desired: { b: 2 } });
  const seen: ShadowDeltaEvent[] = [];
  for await (const delta of deltas) {
    seen.push(delta);
    if (seen.length === 2) controller.abort();
  }
  assert.deepStrictEqual(seen.map((d) => [d.version, d.state]), [[1, { a: 1 }], [2, {
    a: 1,
    b: 2,
  }]]);
});

Deno.test("ShadowClient.onDelta() and onDocuments() call back until removed", async () => {
  await using t = await setup();
  const deltas: JsonObject[] = [];
  const versions: number[] = [];
  const removeDelta = await t.shadow.onDelta((event) => deltas.push(event.state));
  const removeDocuments = await t.shadow.onDocuments((event) =>
    versions.push(event.current.version)
  );
  const documents = await t.shadow.documents();
  await t.shadow.update({ desired: { x: 1 } });
  await documents.next();
  removeDelta();
  removeDocuments();
  await t.shadow.update({ desired: { x: 2 } });
  const second = await documents.next();
  assert.equal(second.value?.previous?.version, 1);
  assert.deepStrictEqual(deltas, [{ x: 1 }]);
  assert.deepStrictEqual(versions, [1]);
  await documents.return!();
});

Deno.test("ShadowClient streams end when the client closes, and keep only the newest events for slow readers", async () => {
  const bus = new MemoryBus();
  await using _service = await ShadowService.start(bus.connect());
  const shadow = new ShadowClient(bus.connect(), { thingName: "t", streamBufferSize: 2 });
  const documents = await shadow.documents();
  for (let i = 1; i <= 4; i++) await shadow.update({ reported: { i } });
  // The service publishes documents after accepted: one more request flushes the last one.
  await shadow.get();
  await shadow.close();
  const versions = [];
  for await (const event of documents) versions.push(event.current.version);
  assert.deepStrictEqual(versions, [3, 4]);
});

Deno.test("ShadowClient ignores payloads on its topics that are not JSON objects", async () => {
  await using t = await setup();
  const deltas = await t.shadow.deltas();
  const topic = "$aws/things/lamp1/shadow/name/cfg/update/delta";
  await t.connection.publish(topic, new TextEncoder().encode("not json"), { qos: 1 });
  await t.connection.publish(topic, encode([1]), { qos: 1 });
  await t.connection.publish(topic, encode({ version: 7, state: { ok: true } }), { qos: 1 });
  assert.deepStrictEqual((await deltas.next()).value, { version: 7, state: { ok: true } });
  await deltas.return!();
});

Deno.test("ShadowClient: a callback that throws is logged, ends nothing and does not stop the others", async () => {
  await using t = await setup();
  const reported: unknown[] = [];
  const consoleError = console.error;
  console.error = (error: unknown) => reported.push(error);
  try {
    await t.shadow.onDelta(() => {
      throw new Error("listener bug");
    });
    const deltas = await t.shadow.deltas();
    await t.shadow.update({ desired: { a: 1 } });
    assert.deepStrictEqual((await deltas.next()).value?.state, { a: 1 });
    await t.shadow.update({ desired: { a: 2 } });
    assert.deepStrictEqual((await deltas.next()).value?.state, { a: 2 });
    assert.deepStrictEqual(reported, [new Error("listener bug"), new Error("listener bug")]);
    await deltas.return!();
  } finally {
    console.error = consoleError;
  }
});

Deno.test("ShadowClient.onDeleted() reports deletes by other clients, not the client's own", async () => {
  await using t = await setup();
  await using other = new ShadowClient(t.bus.connect(), { thingName: "lamp1", shadowName: "cfg" });
  const events: unknown[] = [];
  const remove = await t.shadow.onDeleted((event) => events.push(event));
  await t.shadow.update({ reported: { on: true } });
  const own = await t.shadow.delete();
  assert.equal(own.version, 1);
  await other.update({ reported: { on: false } });
  const theirs = await other.delete();
  await until(() => events.length === 1, "the other client's delete arrived");
  assert.deepStrictEqual(events, [theirs]);
  assert.equal((events[0] as { version: number }).version, 2);
  remove();
  await other.update({ reported: { on: true } });
  await other.delete();
  await t.shadow.update({ reported: { on: true } }); // a round trip, so a late event would show
  assert.equal(events.length, 1);
});

Deno.test("ShadowClient.deletions() yields a delete whose request carried no clientToken", async () => {
  await using t = await setup({ now: () => 1700000000_000 });
  await t.shadow.update({ reported: { on: true } });
  const deletions = await t.shadow.deletions();
  // An empty /delete payload, as the AWS docs describe it: the answer has no clientToken.
  await t.bus.connect().publish("$aws/things/lamp1/shadow/name/cfg/delete", new Uint8Array(), {
    qos: 1,
  });
  const { value } = await deletions.next();
  assert.deepStrictEqual(value, { version: 1, timestamp: 1700000000 });
  await deletions.return!();
});

Deno.test("ShadowClient.onDeleted() ignores deletes of another shadow of the same thing", async () => {
  await using t = await setup();
  await using classic = new ShadowClient(t.bus.connect(), { thingName: "lamp1" });
  const events: unknown[] = [];
  await t.shadow.onDeleted((event) => events.push(event));
  await classic.update({ reported: { on: true } });
  await classic.delete();
  await t.shadow.update({ reported: { on: true } });
  assert.deepStrictEqual(events, []);
});
