import assert from "node:assert/strict";
import { MemoryBus, until } from "./_memory_bus.ts";
import { DeviceShadow } from "./device_shadow.ts";
import type { JsonObject } from "./document.ts";
import { ShadowClient } from "./shadow_client.ts";
import { ShadowService } from "./shadow_service.ts";

async function setup() {
  const bus = new MemoryBus();
  const service = await ShadowService.start(bus.connect());
  const app = new ShadowClient(bus.connect(), { thingName: "lamp1" });
  const lamp = new ShadowClient(bus.connect(), { thingName: "lamp1" });
  return {
    bus,
    app,
    lamp,
    async [Symbol.asyncDispose]() {
      await app.close();
      await lamp.close();
      await service.stop();
    },
  };
}

Deno.test("DeviceShadow.start() applies and reports the delta pending in the shadow", async () => {
  await using t = await setup();
  await t.app.update({ desired: { on: true, level: 3 }, reported: { on: false } });
  const applied: JsonObject[] = [];
  await using device = await DeviceShadow.start(t.lamp, {
    apply: (delta) => (applied.push(delta), delta),
  });
  assert.deepStrictEqual(applied, [{ on: true, level: 3 }]);
  const shadow = await t.app.get();
  assert.deepStrictEqual(shadow.state.reported, { on: true, level: 3 });
  assert.equal(shadow.state.delta, undefined);
  assert.equal(device.version, 2);
});

Deno.test("DeviceShadow starts on a shadow that does not exist yet", async () => {
  await using t = await setup();
  await using device = await DeviceShadow.start(t.lamp);
  assert.equal(device.version, 0);
  await device.report({ on: false });
  assert.equal(device.version, 1);
});

Deno.test("DeviceShadow receives a delta, reports, and the delta disappears", async () => {
  await using t = await setup();
  await using device = await DeviceShadow.start(t.lamp);
  await device.report({ on: false });
  const documents = await t.app.documents();
  await t.app.update({ desired: { on: true } });
  let event = (await documents.next()).value; // the app's update
  if (event?.current.state.reported?.on !== true) event = (await documents.next()).value;
  assert.equal(event.current.version, 3);
  assert.deepStrictEqual((await t.app.get()).state, {
    desired: { on: true },
    reported: { on: true },
  });
  await documents.return!();
});

Deno.test("DeviceShadow skips deltas not newer than the version it has seen (§1.6 ordering)", async () => {
  await using t = await setup();
  const applied: number[] = [];
  await using device = await DeviceShadow.start(t.lamp, {
    apply: (_delta, event) => (applied.push(event.version), undefined),
  });
  await device.report({ on: false }); // version 1
  await device.report({ on: false }); // version 2
  const injector = t.bus.connect();
  const topic = "$aws/things/lamp1/shadow/update/delta";
  const send = (version: number) =>
    injector.publish(
      topic,
      new TextEncoder().encode(JSON.stringify({ version, timestamp: 0, state: { on: true } })),
      { qos: 1 },
    );
  await send(1);
  await send(2);
  await send(5);
  await send(4);
  await send(6);
  await until(() => applied.length === 2, "two deltas were applied");
  await device.stop();
  assert.deepStrictEqual(applied, [5, 6]);
  assert.equal(device.version, 6);
});

Deno.test("DeviceShadow reports what apply() returns, and nothing for undefined", async () => {
  await using t = await setup();
  await using _device = await DeviceShadow.start(t.lamp, {
    apply: (delta) => ("mode" in delta ? undefined : { level: Math.min(Number(delta.level), 5) }),
  });
  const documents = await t.app.documents();
  await t.app.update({ desired: { level: 9 } });
  await documents.next(); // the app's update
  const report = (await documents.next()).value;
  assert.deepStrictEqual(report?.current.state.reported, { level: 5 });
  await t.app.update({ desired: { mode: "x" } });
  await documents.next();
  const shadow = await t.app.get();
  assert.deepStrictEqual(shadow.state.delta, { level: 9, mode: "x" });
  assert.equal(shadow.version, 3);
  await documents.return!();
});

Deno.test("DeviceShadow passes failures of apply() to onError and keeps going", async () => {
  await using t = await setup();
  const errors: unknown[] = [];
  let calls = 0;
  await using _device = await DeviceShadow.start(t.lamp, {
    apply: (delta) => {
      if (calls++ === 0) throw new Error("actuator stuck");
      return delta;
    },
    onError: (error) => errors.push(error),
  });
  const documents = await t.app.documents();
  await t.app.update({ desired: { a: 1 } });
  await t.app.update({ desired: { b: 2 } });
  const events = [];
  for (let i = 0; i < 3; i++) events.push((await documents.next()).value);
  const event = events.at(-1);
  assert.deepStrictEqual(event.current.state.reported, { a: 1, b: 2 });
  assert.deepStrictEqual(errors, [new Error("actuator stuck")]);
  await documents.return!();
});

Deno.test("DeviceShadow calls onDeleted when the application deletes the shadow, and starts its version over", async () => {
  await using t = await setup();
  const deleted = Promise.withResolvers<number>();
  const applied: JsonObject[] = [];
  await using device = await DeviceShadow.start(t.lamp, {
    apply: (delta) => (applied.push(delta), delta),
    onDeleted: (event) => deleted.resolve(event.version),
  });
  await device.report({ on: false });
  assert.equal(device.version, 1);
  await t.app.delete();
  assert.equal(await deleted.promise, 1);
  assert.equal(device.version, 0);
  await t.app.update({ desired: { on: true } });
  await until(() => applied.length === 1, "the delta after re-creation was applied");
  assert.deepStrictEqual(applied, [{ on: true }]);
});
