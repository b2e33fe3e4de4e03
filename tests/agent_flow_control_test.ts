/**
 * Flow control against mosquitto's default Receive Maximum (max_inflight_messages 20): a
 * burst of hundreds of concurrent QoS 1 / 2 publishes never draws "Quota exceeded" and none
 * is lost; topic aliases are in use on the way.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { Decoder } from "@tern/codec";
import type { Packet } from "@tern/codec";
import type { Connection, Transport } from "@tern/transport";
import { tcp } from "@tern/transport";
import { startBroker } from "./support/broker.ts";

const BURST = 600;

/** Keeps every packet the client writes, decoded. */
function recorded(inner: Transport): { transport: Transport; written: Packet[] } {
  const written: Packet[] = [];
  return {
    written,
    transport: {
      async open(options): Promise<Connection> {
        const connection = await inner.open(options);
        const decoder = new Decoder({ version: 5 });
        return {
          readable: connection.readable,
          close: () => connection.close(),
          write: (bytes) => {
            written.push(...decoder.push(bytes));
            return connection.write(bytes);
          },
        };
      },
    },
  };
}

Deno.test(`a burst of ${BURST} QoS 1/2 publishes stays within mosquitto's Receive Maximum of 20`, async () => {
  await using broker = await startBroker();
  const listener = new MqttClient({ url: broker.url, clientId: "fc-listener", reconnect: false });
  const received = new Set<string>();
  const allReceived = Promise.withResolvers<void>();
  listener.on("message", (m) => {
    received.add(new TextDecoder().decode(m.payload));
    if (received.size === BURST) allReceived.resolve();
  });
  await listener.start();
  await listener.sendSubscribe("burst/#", { qos: 2 });

  const { transport, written } = recorded(tcp({ hostname: "127.0.0.1", port: broker.port }));
  const client = new MqttClient({ transport, clientId: "fc-sender", reconnect: false });
  const settings = await client.start();
  assert.equal(settings.receiveMaximumToServer, 20);
  assert.ok(settings.topicAliasMaximumToServer > 0);

  const results = await Promise.all(
    Array.from(
      { length: BURST },
      (_, i) => client.publish(`burst/topic-${i % 7}`, `${i}`, { qos: (1 + (i % 2)) as 1 | 2 }),
    ),
  );
  // A QuotaExceeded PUBACK / PUBREC would have rejected; mosquitto would also disconnect.
  assert.equal(results.length, BURST);
  assert.ok(results.every((r) => r.reasonCode === 0));
  await allReceived.promise;
  assert.equal(received.size, BURST);

  const publishes = written.filter((p): p is Packet & { type: "publish" } => p.type === "publish");
  assert.equal(publishes.length, BURST);
  const aliased = publishes.filter((p) => p.topic === "" && p.properties?.topicAlias !== undefined);
  // 7 topics, each sent in full once with its alias, then by alias alone.
  assert.equal(aliased.length, BURST - 7);
  assert.equal(client.state, "connected");
  await client.stop();
  await listener.stop();
});

Deno.test(`a burst of ${BURST} QoS 1/2 publishes over MQTT 3.1.1 loses nothing`, async () => {
  // mosquitto acknowledges, then drops, QoS 1/2 publishes beyond max_inflight_messages even
  // though MQTT 3.1.1 cannot announce it; the client's default maximumInflight (20) avoids it.
  await using broker = await startBroker();
  const listener = new MqttClient({ url: broker.url, clientId: "fc4-listener", reconnect: false });
  const received = new Set<string>();
  const allReceived = Promise.withResolvers<void>();
  listener.on("message", (m) => {
    received.add(new TextDecoder().decode(m.payload));
    if (received.size === BURST) allReceived.resolve();
  });
  await listener.start();
  await listener.sendSubscribe("burst4/#", { qos: 2 });
  const client = new MqttClient({
    url: broker.url,
    protocolVersion: 4,
    clientId: "fc4-sender",
    reconnect: false,
  });
  const settings = await client.start();
  assert.equal(settings.receiveMaximumToServer, 20);
  await Promise.all(
    Array.from(
      { length: BURST },
      (_, i) => client.publish(`burst4/topic-${i % 7}`, `${i}`, { qos: (1 + (i % 2)) as 1 | 2 }),
    ),
  );
  await allReceived.promise;
  assert.equal(received.size, BURST);
  await client.stop();
  await listener.stop();
});
