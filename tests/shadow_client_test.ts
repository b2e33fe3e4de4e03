/**
 * The shadow client against the local shadow service over a real mosquitto: the service, a
 * device and an application each on their own MQTT connection (specs/aws_iot.md §1–2), once
 * with `@tern/agent`'s MqttClient and once with MQTT.js.
 */
import assert from "node:assert/strict";
import {
  DeviceShadow,
  ShadowClient,
  ShadowError,
  ShadowService,
  ShadowTimeoutError,
} from "@tern/shadow";
import { until } from "../packages/shadow/_memory_bus.ts";
import { startBroker } from "./support/broker.ts";
import { CONNECTORS } from "./shadow_support.ts";

for (const connector of CONNECTORS) {
  Deno.test(`${connector.name}: a device receives the application's delta, reports, and the delta disappears (§1.7)`, async () => {
    await using broker = await startBroker();
    await using serviceConnection = await connector.connect(broker.url);
    await using _service = await ShadowService.start(serviceConnection);
    await using deviceConnection = await connector.connect(broker.url);
    await using appConnection = await connector.connect(broker.url);
    await using lamp = new ShadowClient(deviceConnection, { thingName: "lamp1" });
    await using app = new ShadowClient(appConnection, { thingName: "lamp1" });

    const seen: unknown[] = [];
    await using device = await DeviceShadow.start(lamp, {
      apply: (delta) => (seen.push(delta), delta),
    });
    await device.report({ on: false, level: 1 });
    const documents = await app.documents();
    const accepted = await app.update({ desired: { on: true } }, { version: 1 });
    assert.equal(accepted.version, 2);
    // Documents of version 2 (the app's update) and 3 (the device's report); the one of the
    // device's first report may or may not arrive before the subscription took effect.
    const versions: number[] = [];
    while (!versions.includes(3) && versions.length < 3) {
      versions.push((await documents.next()).value!.current.version);
    }
    assert.deepStrictEqual(versions.filter((v) => v > 1).sort(), [2, 3]);
    assert.deepStrictEqual(seen, [{ on: true }]);
    const shadow = await app.get();
    assert.deepStrictEqual(shadow.state, {
      desired: { on: true },
      reported: { on: true, level: 1 },
    });
    assert.equal(shadow.version, 3);
    await documents.return!();
  });

  Deno.test(`${connector.name}: two applications updating with the same version: one is accepted, the other gets 409 (§1.3, §1.5)`, async () => {
    await using broker = await startBroker();
    await using serviceConnection = await connector.connect(broker.url);
    await using _service = await ShadowService.start(serviceConnection);
    await using firstConnection = await connector.connect(broker.url);
    await using secondConnection = await connector.connect(broker.url);
    await using first = new ShadowClient(firstConnection, { thingName: "t" });
    await using second = new ShadowClient(secondConnection, { thingName: "t" });
    await first.update({ desired: { owner: "nobody" } });
    const results = await Promise.allSettled([
      first.update({ desired: { owner: "first" } }, { version: 1 }),
      second.update({ desired: { owner: "second" } }, { version: 1 }),
    ]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    assert.equal(fulfilled.length, 1);
    assert.equal(rejected.length, 1);
    assert.ok(rejected[0].reason instanceof ShadowError);
    assert.equal(rejected[0].reason.code, 409);
    assert.equal(rejected[0].reason.message, "Version conflict");
    const winner = results[0].status === "fulfilled" ? "first" : "second";
    assert.deepStrictEqual((await first.get()).state.desired, { owner: winner });
  });

  Deno.test(`${connector.name}: classic and named shadows of one thing are separate; delete, 404, and re-creation continue the version (§1.1, §1.6)`, async () => {
    await using broker = await startBroker();
    await using serviceConnection = await connector.connect(broker.url);
    await using _service = await ShadowService.start(serviceConnection);
    await using connection = await connector.connect(broker.url);
    await using classic = new ShadowClient(connection, { thingName: "lamp1" });
    await using named = new ShadowClient(connection, { thingName: "lamp1", shadowName: "cfg" });
    await classic.update({ reported: { fw: "1.0" } });
    await classic.update({ reported: { fw: "1.1" } });
    await named.update({ desired: { level: 3 } });
    assert.equal((await classic.get()).version, 2);
    assert.deepStrictEqual((await named.get()).state, {
      desired: { level: 3 },
      delta: { level: 3 },
    });
    assert.equal((await classic.delete()).version, 2);
    await assert.rejects(classic.get(), {
      name: "ShadowError",
      code: 404,
      message: "No shadow exists with name: 'lamp1'",
    });
    await assert.rejects(classic.delete(), { code: 404 });
    assert.equal((await named.get()).version, 1);
    assert.equal((await classic.update({ reported: { fw: "2.0" } })).version, 3);
  });

  Deno.test(`${connector.name}: an oversize or too-deep update is rejected with the documented code and message (§1.8)`, async () => {
    await using broker = await startBroker();
    await using serviceConnection = await connector.connect(broker.url);
    await using _service = await ShadowService.start(serviceConnection);
    await using connection = await connector.connect(broker.url);
    await using shadow = new ShadowClient(connection, { thingName: "t" });
    await assert.rejects(shadow.update({ reported: { blob: "x".repeat(8192) } }), {
      code: 413,
      message: "The payload exceeds the maximum size allowed",
    });
    await assert.rejects(
      shadow.update({ reported: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } }),
      {
        code: 400,
        message: "JSON contains too many levels of nesting; maximum is 6",
      },
    );
  });

  Deno.test(`${connector.name}: the client and the service restore their subscriptions after a broker restart lost the session`, async () => {
    await using broker = await startBroker();
    await using serviceConnection = await connector.connect(broker.url, { reconnectDelayMs: 50 });
    await using _service = await ShadowService.start(serviceConnection);
    await using deviceConnection = await connector.connect(broker.url, { reconnectDelayMs: 50 });
    await using device = new ShadowClient(deviceConnection, { thingName: "lamp1" });
    const deltas = await device.deltas();
    await device.update({ reported: { on: false } });
    const deviceGranted = deviceConnection.granted;
    const serviceGranted = serviceConnection.granted;

    const reconnected = Promise.all([
      serviceConnection.reconnected(),
      deviceConnection.reconnected(),
    ]);
    await broker.restart();
    await reconnected;
    if (connector.restoresSubscriptions) {
      // The client re-subscribed on its own, ahead of anything else it sends; the shadow
      // packages had nothing to do.
      assert.equal(deviceConnection.granted, deviceGranted);
      assert.equal(serviceConnection.granted, serviceGranted);
    } else {
      // delta, update/accepted and update/rejected for the device; one filter for the service.
      await until(
        () =>
          deviceConnection.granted === deviceGranted + 3 &&
          serviceConnection.granted === serviceGranted + 1,
        "both re-subscribed",
      );
    }

    await using appConnection = await connector.connect(broker.url);
    await using app = new ShadowClient(appConnection, { thingName: "lamp1" });
    // The broker forgot every session, but the service's store did not: the version continues.
    const accepted = await app.update({ desired: { on: true } });
    assert.equal(accepted.version, 2);
    const { value } = await deltas.next();
    assert.deepStrictEqual(value?.state, { on: true });
    assert.equal(value?.version, 2);
    await deltas.return!();
  });

  Deno.test(`${connector.name}: two clients of one shadow share a connection; closing one leaves the other subscribed`, async () => {
    await using broker = await startBroker();
    await using serviceConnection = await connector.connect(broker.url);
    await using _service = await ShadowService.start(serviceConnection);
    await using connection = await connector.connect(broker.url);
    const first = new ShadowClient(connection, { thingName: "lamp1" });
    await using second = new ShadowClient(connection, { thingName: "lamp1" });
    // Both subscribe to the same filters on the same connection.
    const deltas = await second.deltas();
    await first.deltas();
    await second.update({ reported: { on: false } });
    await first.update({ desired: { on: true } });
    assert.equal((await deltas.next()).value?.version, 2);
    await first.close();
    await second.update({ desired: { on: false, level: 2 } });
    assert.deepStrictEqual((await deltas.next()).value?.state, { level: 2 });
    await deltas.return!();
  });

  Deno.test(`${connector.name}: without a service, a request rejects with ShadowTimeoutError`, async () => {
    await using broker = await startBroker();
    await using connection = await connector.connect(broker.url);
    await using shadow = new ShadowClient(connection, { thingName: "t", timeoutMs: 100 });
    await assert.rejects(shadow.get(), ShadowTimeoutError);
  });

  Deno.test(`${connector.name}: a device learns that the application deleted its shadow, and not of its own deletes`, async () => {
    await using broker = await startBroker();
    await using serviceConnection = await connector.connect(broker.url);
    await using _service = await ShadowService.start(serviceConnection);
    await using deviceConnection = await connector.connect(broker.url);
    await using appConnection = await connector.connect(broker.url);
    await using lamp = new ShadowClient(deviceConnection, {
      thingName: "lamp1",
      shadowName: "cfg",
    });
    await using app = new ShadowClient(appConnection, { thingName: "lamp1", shadowName: "cfg" });

    const deleted: number[] = [];
    await using device = await DeviceShadow.start(lamp, {
      onDeleted: (event) => void deleted.push(event.version),
    });
    await device.report({ on: true });
    const deletions = await lamp.deletions();
    const accepted = await app.delete();
    const { value } = await deletions.next();
    assert.deepStrictEqual(value, accepted);
    await until(() => deleted.length === 1, "DeviceShadow saw the delete");
    assert.deepStrictEqual(deleted, [1]);
    assert.equal(device.version, 0);

    await device.report({ on: false });
    await lamp.delete();
    await app.update({ desired: { on: true } }); // after the device's own delete/accepted
    await app.get();
    assert.deepStrictEqual(deleted, [1]);
    await deletions.return!();
  });
}
