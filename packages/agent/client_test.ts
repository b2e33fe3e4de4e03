import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { MqttClient } from "./client.ts";
import type { InboundMessage } from "./session_types.ts";
import { ClientStoppedError } from "./errors.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function collect(client: MqttClient, count: number): Promise<InboundMessage[]> {
  const messages: InboundMessage[] = [];
  const { promise, resolve } = Promise.withResolvers<InboundMessage[]>();
  const off = client.on("message", (message) => {
    messages.push(message);
    if (messages.length === count) {
      off();
      resolve(messages);
    }
  });
  return promise;
}

for (const protocolVersion of [4, 5] as const) {
  Deno.test(`MqttClient (MQTT ${protocolVersion}) subscribes, publishes QoS 0-2 to itself, unsubscribes and stops`, async () => {
    await using broker = await startBroker();
    const client = new MqttClient({
      url: broker.url,
      protocolVersion,
      clientId: `basic-${protocolVersion}`,
      reconnect: false,
    });
    const events: string[] = [];
    for (
      const type of ["attemptingconnect", "connectionsuccess", "disconnection", "stopped"] as const
    ) {
      client.on(type, () => events.push(type));
    }
    const settings = await client.start();
    assert.equal(settings.clientId, `basic-${protocolVersion}`);
    assert.equal(settings.protocolVersion, protocolVersion);
    const granted = await client.subscribe("t/#", { qos: 2 });
    assert.deepEqual(granted.reasonCodes, [2]);
    const received = collect(client, 3);
    const results = await Promise.all([
      client.publish("t/0", "zero", { qos: 0 }),
      client.publish("t/1", "one", { qos: 1 }),
      client.publish("t/2", "two", { qos: 2 }),
    ]);
    assert.deepEqual(results.map((r) => r.reasonCode), [0, 0, 0]);
    const messages = await received;
    assert.deepEqual(
      messages.map((m) => [m.topic, text(m.payload), m.qos]).sort(),
      [["t/0", "zero", 0], ["t/1", "one", 1], ["t/2", "two", 2]],
    );
    const gone = await client.unsubscribe(["t/#", "never/subscribed"]);
    assert.deepEqual(gone.reasonCodes, protocolVersion === 5 ? [0, 0x11] : [0, 0]);
    await client.stop();
    assert.deepEqual(events, [
      "attemptingconnect",
      "connectionsuccess",
      "disconnection",
      "stopped",
    ]);
    assert.equal(client.running, false);
  });
}

Deno.test("stop() fails pending operations with ClientStoppedError and the client starts again", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({ url: broker.url, clientId: "restart", reconnect: false });
  await client.start();
  await client.subscribe("r", { qos: 1 });
  const queuedBehind = client.publish("r", "late", { qos: 1 });
  const pending = client.request("nobody/listens", "ping", { timeoutMs: 60_000 });
  const rejected = assert.rejects(pending, ClientStoppedError);
  await queuedBehind;
  await client.stop();
  await rejected;
  await client.start();
  const received = collect(client, 1);
  await client.subscribe("r", { qos: 1 });
  await client.publish("r", "again", { qos: 1 });
  assert.equal(text((await received)[0].payload), "again");
  await client.stop();
});
