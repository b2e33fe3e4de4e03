/**
 * No acknowledged message is ever lost (issue #13), against mosquitto with the client's
 * default subscription options: backlogs queued for a persistent session, slow handlers
 * at QoS 1 and 2, a QoS 0 flood whose drops are all counted, a handler that throws, and a
 * subscriber killed in the middle of its backlog.
 */
import assert from "node:assert/strict";
import { Backoff, MqttClient, type MqttClientOptions } from "@tern/agent";
import type { InboundMessage } from "@tern/agent";
import { startBroker } from "./support/broker.ts";
import { DeliveryLedger, payloadSeq, seqPayload } from "./support/delivery_ledger.ts";

// Room for the biggest backlog (mosquitto's default keeps 1,000 per session).
const BROKER = { config: ["max_queued_messages 30000", "max_queued_bytes 0"] };

/** Resolves once `condition` holds; fails after `ms` (a hang guard, not a timing check). */
async function until(condition: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function publishAll(
  url: string,
  topic: string,
  count: number,
  qos: 0 | 1 | 2,
  ledger?: DeliveryLedger,
): Promise<void> {
  const publisher = new MqttClient({ url, clientId: `pub-${topic}`, reconnect: false });
  await publisher.start();
  const window = 100;
  for (let start = 0; start < count; start += window) {
    const batch = [];
    for (let seq = start; seq < Math.min(count, start + window); seq++) {
      ledger?.sent(seq);
      batch.push(publisher.publish(topic, seqPayload(seq), { qos }));
    }
    await Promise.all(batch);
  }
  await publisher.stop();
}

/** A subscriber whose handler counts into `ledger`, after `work` for each message. */
function subscriber(
  options: MqttClientOptions,
  topic: string,
  qos: 1 | 2,
  ledger: DeliveryLedger,
  work?: (message: InboundMessage) => Promise<void> | void,
) {
  const client = new MqttClient({ reconnect: false, ...options });
  const subscription = client.subscribe(topic, {
    qos,
    handler: async (message) => {
      await work?.(message);
      ledger.received(message.payload);
    },
  });
  return { client, subscription };
}

for (const count of [2_000, 20_000]) {
  Deno.test(`a QoS 1 backlog of ${count} queued for a persistent session is delivered whole on reconnect`, async () => {
    await using broker = await startBroker(BROKER);
    const session = {
      url: broker.url,
      clientId: `backlog-${count}`,
      cleanStart: false,
      sessionExpiryInterval: 600,
    };
    const first = subscriber(session, "backlog", 1, new DeliveryLedger());
    await first.client.start();
    await first.subscription;
    await first.client.stop();

    const ledger = new DeliveryLedger();
    await publishAll(broker.url, "backlog", count, 1, ledger);

    const second = subscriber(session, "backlog", 1, ledger);
    await second.client.start();
    await until(() => ledger.distinctReceived === count, `${count} messages`);
    assert.deepEqual(ledger.summary(), {
      sent: count,
      received: count,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
    });
    assert.equal(second.subscription.dropped, 0);
    assert.equal(second.client.stats().droppedMessages, 0);
    await until(() => second.client.stats().heldMessages === 0, "every acknowledgement");
    await second.client.stop();
  });
}

for (const qos of [1, 2] as const) {
  Deno.test(`live QoS ${qos}: 2,000 messages into a handler that awaits 1 ms each all arrive`, async () => {
    await using broker = await startBroker(BROKER);
    const ledger = new DeliveryLedger();
    const slow = subscriber(
      { url: broker.url, clientId: `slow-${qos}` },
      "live",
      qos,
      ledger,
      () => new Promise((resolve) => setTimeout(resolve, 1)),
    );
    await slow.client.start();
    await slow.subscription;
    await publishAll(broker.url, "live", 2_000, qos, ledger);
    await until(() => ledger.distinctReceived === 2_000, "2,000 messages");
    assert.deepEqual(ledger.summary(), {
      sent: 2_000,
      received: 2_000,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
    });
    assert.equal(slow.subscription.dropped, 0);
    // The handler was slower than the broker: acknowledgements were held back.
    await slow.client.stop();
  });
}

Deno.test("a QoS 0 flood of 20,000: every message is either delivered or counted as dropped", async () => {
  await using broker = await startBroker(BROKER);
  const ledger = new DeliveryLedger();
  const client = new MqttClient({ url: broker.url, clientId: "flood", reconnect: false });
  let dropEvents = 0;
  client.on("messagedropped", () => void dropEvents++);
  const subscription = client.subscribe("flood", { handler: (m) => ledger.received(m.payload) });
  await client.start();
  await subscription;
  await publishAll(broker.url, "flood", 20_000, 0, ledger);
  await until(
    () => ledger.summary().received + client.stats().droppedMessages === 20_000,
    "every message delivered or counted",
  );
  const { received, duplicated, unexpected } = ledger.summary();
  assert.equal(duplicated + unexpected, 0);
  assert.equal(received + subscription.dropped, 20_000);
  assert.equal(dropEvents, subscription.dropped);
  await client.stop();
});

Deno.test("a handler that throws on every tenth message loses none and keeps the connection (Deno)", async () => {
  await using broker = await startBroker(BROKER);
  const ledger = new DeliveryLedger();
  const client = new MqttClient({ url: broker.url, clientId: "thrower", reconnect: false });
  const errors: unknown[] = [];
  client.on("error", ({ error, message }) => {
    assert.equal(payloadSeq(message!.payload)! % 10, 9);
    errors.push(error);
  });
  let disconnections = 0;
  client.on("disconnection", () => void disconnections++);
  const subscription = client.subscribe("throw", {
    qos: 1,
    handler: (m) => {
      ledger.received(m.payload);
      if (payloadSeq(m.payload)! % 10 === 9) throw new Error("every tenth");
    },
  });
  await client.start();
  await subscription;
  await publishAll(broker.url, "throw", 1_000, 1, ledger);
  await until(() => ledger.distinctReceived === 1_000, "1,000 messages");
  assert.equal(ledger.summary().lost, 0);
  assert.equal(errors.length, 100);
  assert.equal(disconnections, 0);
  assert.equal(client.state, "connected");
  await client.stop();
});

Deno.test("a subscriber killed in the middle of its backlog and restarted loses nothing it acknowledged", async () => {
  await using broker = await startBroker(BROKER);
  const count = 3_000;
  const dir = await Deno.makeTempDir({ prefix: "tern-no-loss-" });
  const path = `${dir}/handled.txt`;
  const child = () =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./support/no_loss_subscriber.ts", import.meta.url).pathname,
        broker.url,
        "killed",
        "backlog",
        path,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
  const handled = async () =>
    (await Deno.readTextFile(path).catch(() => "")).split("\n").filter((line) => line !== "").map(
      Number,
    );
  const waitSubscribed = async (process: Deno.ChildProcess) => {
    const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("subscribed")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("The subscriber exited before subscribing");
      text += value;
    }
    return reader;
  };
  try {
    // First run: the persistent session and its subscription exist; then it goes away.
    let process = child();
    let reader = await waitSubscribed(process);
    process.kill("SIGKILL");
    await process.status;
    await reader.cancel();

    const ledger = new DeliveryLedger();
    await publishAll(broker.url, "backlog", count, 1, ledger);

    process = child();
    reader = await waitSubscribed(process);
    let seen: number[] = [];
    for (let i = 0; seen.length < count / 3 && i < 12_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen = await handled();
    }
    assert.ok(seen.length < count, "the subscriber was killed before its backlog ended");
    process.kill("SIGKILL");
    await process.status;
    await reader.cancel();

    process = child();
    reader = await waitSubscribed(process);
    for (let i = 0; new Set(seen).size < count && i < 12_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen = await handled();
    }
    process.kill("SIGKILL");
    await process.status;
    await reader.cancel();
    for (const seq of seen) ledger.received(seqPayload(seq));
    const summary = ledger.summary();
    assert.equal(summary.lost, 0);
    assert.equal(summary.unexpected, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// mosquitto closes an MQTT 3.1.1 connection on a packet past max_packet_size (it cannot say
// why).
Deno.test("MQTT 3.1.1: a publish mosquitto keeps closing the connection over fails after 3 closes and the connection stops flapping", async () => {
  await using broker = await startBroker({ config: ["max_packet_size 1000"] });
  const client = new MqttClient({
    url: broker.url,
    protocolVersion: 4,
    clientId: "poison",
    reconnect: new Backoff({ minDelayMs: 10, maxDelayMs: 20 }),
  });
  let losses = 0;
  client.on("disconnection", () => void losses++);
  await client.start();
  await assert.rejects(
    client.publish("poison", new Uint8Array(5000), { qos: 1 }),
    /the server closed the connection right after receiving it, 3 connections in a row/,
  );
  assert.equal(losses, 3);
  // The session no longer carries it: the next connection stays up and works.
  await until(() => client.state === "connected", "the reconnect");
  assert.equal((await client.publish("fine", "small", { qos: 1 })).reasonCode, 0);
  assert.equal(losses, 3);
  assert.deepEqual(
    [client.stats().incompleteOperationCount, client.stats().incompleteOperationSize],
    [0, 0],
  );
  await client.stop();
});
