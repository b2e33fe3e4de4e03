import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { MqttClient } from "./client.ts";
import { MessageExpiredError } from "./offline_queue.ts";
import type { InboundMessage } from "./session_types.ts";

Deno.test("MqttClient counts a queued message's expiry down while it waits, and fails one that expired", async () => {
  await using broker = await startBroker();
  const receiver = new MqttClient({ url: broker.url, clientId: "expiry-rx", reconnect: false });
  await receiver.start();
  const received = Promise.withResolvers<InboundMessage>();
  receiver.on("message", (message) => received.resolve(message));
  await receiver.sendSubscribe("expiry/#", { qos: 1 });

  const sender = new MqttClient({ url: broker.url, clientId: "expiry-tx", reconnect: false });
  // Queued before the client connects (the default policy keeps QoS 1 publishes).
  const expiring = sender.publish("expiry/short", "gone", {
    qos: 1,
    properties: { messageExpiryInterval: 1 },
  });
  const lasting = sender.publish("expiry/long", "kept", {
    qos: 1,
    properties: { messageExpiryInterval: 30 },
  });
  const outcome = expiring.then(() => undefined, (error: unknown) => error);
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await sender.start();
  const error = await outcome;
  assert.ok(error instanceof MessageExpiredError, String(error));
  assert.equal(error.waitedSeconds, 1);
  assert.equal((await lasting)?.reasonCode, 0);
  const message = await received.promise;
  assert.equal(message.topic, "expiry/long");
  assert.equal(message.properties?.messageExpiryInterval, 29);
  await Promise.all([sender.stop(), receiver.stop()]);
});
