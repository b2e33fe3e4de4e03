import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { createTestBroker, createTestClock } from "@tern/testing";
import { startAlerts } from "./testdata/alerts_app.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("the alerts app reports the hot sensor, and only that one", async () => {
  await using broker = createTestBroker();
  const app = new MqttClient({ transport: broker.connect(), clientId: "alerts" });
  const sensor = new MqttClient({ transport: broker.connect(), clientId: "sensor" });
  await Promise.all([app.start(), sensor.start()]);
  await startAlerts(app, 30);

  await sensor.publish("sensors/kitchen/temperature", "21", { qos: 1 });
  await sensor.publish("sensors/oven/temperature", "180", { qos: 1 });
  const alert = await broker.waitForMessage("alerts/#");
  assert.equal(alert.topic, "alerts/oven");
  assert.equal(text(alert.payload), "too hot: 180 °C");
  // The app handles messages in order: the kitchen's reading raised nothing.
  const published = broker.received.filter(({ clientId, packet }) =>
    clientId === "alerts" && packet.type === "publish"
  );
  assert.equal(published.length, 1);
  await Promise.all([app.stop(), sensor.stop()]);
});

Deno.test("the alerts app comes back after the broker drops it, on a test clock", async () => {
  await using broker = createTestBroker();
  const clock = createTestClock();
  const app = new MqttClient({ transport: broker.connect(), clientId: "alerts", clock });
  const sensor = new MqttClient({ transport: broker.connect(), clientId: "sensor" });
  await Promise.all([app.start(), sensor.start()]);
  await startAlerts(app, 30);

  await broker.drop("alerts");
  await clock.advance(120_000); // the longest reconnect delay, in no time
  // Each wait returns a packet once: the first SUBSCRIBE, then the one after reconnecting.
  await broker.waitForPacket("subscribe");
  await broker.waitForPacket("subscribe");
  await sensor.publish("sensors/oven/temperature", "200", { qos: 1 });
  assert.equal(text((await broker.waitForMessage("alerts/oven")).payload), "too hot: 200 °C");
  await Promise.all([app.stop(), sensor.stop()]);
});

Deno.test("README.md shows this test and the app exactly as they are", async () => {
  const readme = await Deno.readTextFile(new URL("./README.md", import.meta.url));
  for (const file of ["./testdata/alerts_app.ts", "./readme_example_test.ts"]) {
    const source = await Deno.readTextFile(new URL(file, import.meta.url));
    // The README shows the tests, not this check.
    const shown = source.split('\nDeno.test("README.md')[0].trimEnd();
    assert.ok(readme.includes(shown), `README.md does not show ${file} as it is`);
  }
});
