/** MQTT 3.1 ("MQIsdp", protocolVersion 3) and protocolVersion "auto" against mosquitto. */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { startBroker } from "./support/broker.ts";

Deno.test("an MQTT 3.1 client publishes and receives at QoS 1 and 2 through mosquitto", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({
    url: broker.url,
    protocolVersion: 3,
    clientId: "old-device-3-1",
    reconnect: false,
  });
  const settings = await client.start();
  assert.equal(settings.protocolVersion, 3);
  const got: string[] = [];
  const subscription = client.subscribe("v31/#", {
    qos: 2,
    handler: (m) => void got.push(`${m.qos} ${new TextDecoder().decode(m.payload)}`),
  });
  assert.deepEqual(await subscription, { reasonCodes: [2] });
  await client.publish("v31/a", "one", { qos: 1 });
  await client.publish("v31/b", "two", { qos: 2 });
  while (got.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(got.sort(), ["1 one", "2 two"]);
  // mosquitto names MQTT 3.1 "p1" (3.1.1 is p2, 5.0 p5).
  assert.match(await broker.log(), /as old-device-3-1 \(p1,/);
  await client.stop();
});

Deno.test('protocolVersion "auto" negotiates MQTT 5 with mosquitto', async () => {
  await using broker = await startBroker();
  const client = new MqttClient({ url: broker.url, protocolVersion: "auto", reconnect: false });
  const settings = await client.start();
  assert.equal(settings.protocolVersion, 5);
  await client.stop();
});
