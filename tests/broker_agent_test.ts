/**
 * Tern's MqttClient scenarios against the embedded broker: a burst under the broker's
 * Receive Maximum, request/response, enhanced authentication, shared subscribers, wills,
 * and a durable session that survives a broker restart through SqlitePersistence.
 */
import assert from "node:assert/strict";
import { Backoff, MqttClient } from "@tern/agent";
import { Broker } from "@tern/broker";
import { SqlitePersistence } from "@tern/broker/sqlite-persistence";
import { createTestBroker } from "@tern/testing";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

for (const protocolVersion of [4, 5] as const) {
  Deno.test(`a burst of 500 QoS 1 and 2 publishes arrives complete through a broker with Receive Maximum 20 (MQTT ${protocolVersion})`, async () => {
    await using broker = new Broker({ limits: { receiveMaximum: 20, maxInflight: 20 } });
    const listener = new MqttClient({
      transport: broker.connect(),
      protocolVersion,
      reconnect: false,
    });
    const sender = new MqttClient({
      transport: broker.connect(),
      protocolVersion,
      reconnect: false,
    });
    await Promise.all([listener.start(), sender.start()]);
    const messages = listener.subscribe("burst/#", { qos: 2 });
    await messages;
    await Promise.all(
      Array.from(
        { length: 500 },
        (_, i) => sender.publish(`burst/${i}`, `${i}`, { qos: i % 2 ? 1 : 2 }),
      ),
    );
    const seen = new Set<string>();
    for await (const message of messages) {
      seen.add(text(message.payload));
      if (seen.size === 500) break;
    }
    assert.equal(seen.size, 500);
    await Promise.all([listener.stop(), sender.stop()]);
  });

  Deno.test(`a will set on MqttClient reaches subscribers when its connection is taken over (MQTT ${protocolVersion})`, async () => {
    await using broker = new Broker();
    const watcher = new MqttClient({
      transport: broker.connect(),
      protocolVersion,
      reconnect: false,
    });
    await watcher.start();
    const wills = watcher.subscribe("status/+", { qos: 1 });
    await wills;
    const device = new MqttClient({
      transport: broker.connect(),
      protocolVersion,
      clientId: "device-7",
      reconnect: false,
      will: {
        topic: "status/device-7",
        payload: new TextEncoder().encode("offline"),
        qos: 1,
        retain: false,
      },
    });
    await device.start();
    const usurper = new MqttClient({
      transport: broker.connect(),
      protocolVersion,
      clientId: "device-7",
      reconnect: false,
    });
    await usurper.start();
    const { value } = await wills.next();
    assert.equal(text(value!.payload), "offline");
    await wills.return();
    await Promise.all([watcher.stop(), device.stop(), usurper.stop()]);
  });
}

Deno.test("MqttClient.request() gets its response through the embedded broker (MQTT 5)", async () => {
  // The test kit's broker: the same embedded broker, which also shows what the caller sent.
  await using broker = createTestBroker();
  const service = await broker.startClient({ reconnect: false });
  const caller = await broker.startClient({ reconnect: false, clientId: "caller" });
  const requests = service.subscribe("svc/echo", { qos: 1 });
  await requests;
  const served = (async () => {
    for await (const request of requests) {
      await service.publish(request.properties!.responseTopic!, `echo ${text(request.payload)}`, {
        qos: 1,
        properties: { correlationData: request.properties!.correlationData },
      });
      break;
    }
  })();
  const response = await caller.request("svc/echo", "ping", { timeoutMs: 5000 });
  assert.equal(text(response.payload), "echo ping");
  await served;
  const { packet } = await broker.waitForPacket(({ clientId, packet }) =>
    clientId === "caller" && packet.type === "publish"
  );
  assert.ok(packet.type === "publish");
  assert.equal(packet.properties?.responseTopic, response.topic);
  assert.ok(packet.properties?.correlationData);
});

Deno.test("MqttClient's authenticator completes a challenge from the broker's authenticate hook (MQTT 5)", async () => {
  await using broker = new Broker({
    hooks: {
      authenticate: ({ authenticationData, step }) =>
        step === 0
          ? { continue: new TextEncoder().encode("nonce") }
          : text(authenticationData!) === "nonce-signed",
    },
  });
  const client = new MqttClient({
    transport: broker.connect(),
    reconnect: false,
    authenticator: {
      method: "SIGN",
      challenge: (data) => new TextEncoder().encode(`${text(data!)}-signed`),
    },
  });
  const settings = await client.start();
  assert.ok(settings.clientId.length > 0);
  await client.stop();
});

Deno.test("MqttClient shared subscribers split the messages of a group between them (MQTT 5)", async () => {
  await using broker = new Broker();
  const workers = [0, 1].map(() =>
    new MqttClient({ transport: broker.connect(), reconnect: false })
  );
  const producer = new MqttClient({ transport: broker.connect(), reconnect: false });
  await Promise.all([...workers, producer].map((client) => client.start()));
  const counts = [0, 0];
  const subscriptions = workers.map((worker, i) =>
    worker.subscribe("$share/pool/work/#", { qos: 1, handler: () => void counts[i]++ })
  );
  await Promise.all(subscriptions);
  for (let i = 0; i < 10; i++) await producer.publish("work/item", `${i}`, { qos: 1 });
  for (let i = 0; i < 200 && counts[0] + counts[1] < 10; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.deepEqual(counts, [5, 5]);
  await Promise.all([...workers, producer].map((client) => client.stop()));
});

Deno.test("a durable session keeps its subscriptions across a restart of the broker on the same port", async () => {
  const path = await Deno.makeTempFile({ suffix: ".db" });
  try {
    let broker = new Broker({ persistence: new SqlitePersistence(path) });
    const { port } = await broker.listen({ port: 0 });
    const url = `mqtt://127.0.0.1:${port}`;
    const client = new MqttClient({
      url,
      clientId: "durable",
      cleanStart: false,
      sessionExpiryInterval: 3600,
      reconnect: new Backoff({ minDelayMs: 50, maxDelayMs: 200, jitter: "none" }),
    });
    await client.start();
    const inbox = client.subscribe("jobs/#", { qos: 1 });
    await inbox;
    const lost = new Promise<void>((resolve) => client.on("disconnection", () => resolve()));
    await broker.close();
    await lost;
    // Published while the client is away, to the restarted broker.
    broker = new Broker({ persistence: new SqlitePersistence(path) });
    await broker.listen({ port });
    const publisher = new MqttClient({ transport: broker.connect(), reconnect: false });
    await publisher.start();
    await publisher.publish("jobs/1", "queued while away", { qos: 1 });
    await publisher.stop();
    const { value } = await inbox.next();
    assert.equal(text(value!.payload), "queued while away");
    await inbox.return();
    await client.stop();
    await broker.close();
  } finally {
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(path + suffix).catch(() => {});
  }
});
