import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { MqttClient } from "./client.ts";
import type { InboundMessage } from "./session_types.ts";
import { tcp } from "@tern/transport";
import { startFaultProxy } from "../../tests/support/fault_proxy.ts";
import {
  ClientStoppedError,
  ConnectionRefusedError,
  ReasonCodeError,
  TimeoutError,
} from "./errors.ts";
import type { ClientEventMap } from "./client_options.ts";
import { recording } from "./testdata/recording_transport.ts";

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
    const granted = await client.sendSubscribe("t/#", { qos: 2 });
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
    const gone = await client.sendUnsubscribe(["t/#", "never/subscribed"]);
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
  await client.sendSubscribe("r", { qos: 1 });
  const queuedBehind = client.publish("r", "late", { qos: 1 });
  const pending = client.request("nobody/listens", "ping", { timeoutMs: 60_000 });
  const rejected = assert.rejects(pending, ClientStoppedError);
  await queuedBehind;
  await client.stop();
  await rejected;
  await client.start();
  const received = collect(client, 1);
  await client.sendSubscribe("r", { qos: 1 });
  await client.publish("r", "again", { qos: 1 });
  assert.equal(text((await received)[0].payload), "again");
  await client.stop();
});

Deno.test("publish waits: none resolves once queued (even offline), sent once written", async () => {
  await using broker = await startBroker();
  const listener = new MqttClient({ url: broker.url, clientId: "w-listener", reconnect: false });
  await listener.start();
  await listener.sendSubscribe("w/#", { qos: 1 });
  const received = collect(listener, 2);
  const client = new MqttClient({ url: broker.url, clientId: "w-sender", reconnect: false });
  // Not started: "none" still resolves, and the message leaves once connected.
  assert.equal(await client.publish("w/none", "queued", { qos: 1, wait: "none" }), undefined);
  assert.equal(client.stats().incompleteOperationCount, 1);
  await client.start();
  assert.equal(await client.publish("w/sent", "written", { qos: 1, wait: "sent" }), undefined);
  assert.deepEqual((await received).map((m) => text(m.payload)), ["queued", "written"]);
  await client.stop();
  await listener.stop();
});

Deno.test("an operation gives up on AbortSignal or timeoutMs and is never sent", async () => {
  await using broker = await startBroker();
  const listener = new MqttClient({ url: broker.url, clientId: "a-listener", reconnect: false });
  await listener.start();
  await listener.sendSubscribe("a/#", { qos: 1 });
  const received = collect(listener, 1);
  const client = new MqttClient({ url: broker.url, clientId: "a-sender", reconnect: false });
  const controller = new AbortController();
  const aborted = client.publish("a/aborted", "no", { qos: 1, signal: controller.signal });
  controller.abort(new Error("changed my mind"));
  await assert.rejects(aborted, { message: "changed my mind" });
  await assert.rejects(client.publish("a/late", "no", { qos: 1, timeoutMs: 10 }), TimeoutError);
  await assert.rejects(
    client.publish("a/x", "no", { signal: AbortSignal.abort(new Error("already")) }),
    { message: "already" },
  );
  await client.start();
  await client.publish("a/kept", "yes", { qos: 1 });
  assert.deepEqual((await received).map((m) => m.topic), ["a/kept"]);
  assert.equal(client.stats().incompleteOperationCount, 0);
  await client.stop();
  await listener.stop();
});

Deno.test("request() gets the response carrying its correlation data", async () => {
  await using broker = await startBroker();
  const responder = new MqttClient({ url: broker.url, clientId: "responder", reconnect: false });
  responder.on("message", (message) => {
    const { responseTopic, correlationData } = message.properties ?? {};
    void responder.publish(responseTopic!, `echo ${text(message.payload)}`, {
      qos: 1,
      properties: { correlationData },
    });
  });
  await responder.start();
  await responder.sendSubscribe("svc/echo", { qos: 1 });
  const client = new MqttClient({ url: broker.url, clientId: "requester", reconnect: false });
  await client.start();
  const [a, b] = await Promise.all([
    client.request("svc/echo", "one"),
    client.request("svc/echo", "two"),
  ]);
  assert.deepEqual([text(a.payload), text(b.payload)], ["echo one", "echo two"]);
  await assert.rejects(client.request("svc/nobody", "x", { timeoutMs: 50 }), {
    name: "TimeoutError",
    message: 'Cannot complete request to "svc/nobody": no response within 50 ms',
  });
  await client.stop();
  await responder.stop();
});

for (const protocolVersion of [4, 5] as const) {
  Deno.test(`a refused connection (MQTT ${protocolVersion}) rejects start() with ConnectionRefusedError`, async () => {
    await using broker = await startBroker({ config: ["allow_anonymous false"] });
    const client = new MqttClient({
      url: broker.url,
      protocolVersion,
      clientId: "anon",
      reconnect: false,
    });
    const events: string[] = [];
    for (
      const type of [
        "attemptingconnect",
        "connectionfailure",
        "connectionsuccess",
        "stopped",
      ] as const
    ) {
      client.on(type, () => events.push(type));
    }
    await assert.rejects(client.start(), (error: ConnectionRefusedError) => {
      assert.ok(error instanceof ConnectionRefusedError);
      assert.equal(error.reasonCode, protocolVersion === 5 ? 0x87 : 5);
      return true;
    });
    assert.deepEqual(events, ["attemptingconnect", "connectionfailure", "stopped"]);
  });
}

Deno.test("keep-alive pings keep an idle connection open", async () => {
  await using broker = await startBroker();
  const record = recording(tcp({ hostname: "127.0.0.1", port: broker.port }), 5);
  const client = new MqttClient({
    transport: record.transport,
    clientId: "idle",
    keepAlive: 1,
    reconnect: false,
  });
  const disconnections: unknown[] = [];
  client.on("disconnection", (event) => disconnections.push(event));
  await client.start();
  // Idle for well over 1.5 keep-alive intervals: the broker would drop a silent client.
  await new Promise((resolve) => setTimeout(resolve, 2_600));
  assert.ok(record.written.filter((p) => p.type === "pingreq").length >= 2);
  assert.deepEqual(disconnections, []);
  await client.publish("still/here", "yes", { qos: 1 });
  await client.stop();
});

Deno.test("a half-open connection is detected by the missing PINGRESP and replaced", async () => {
  await using broker = await startBroker();
  await using proxy = await startFaultProxy({ targetPort: broker.port });
  const client = new MqttClient({
    url: proxy.url,
    clientId: "half",
    keepAlive: 1,
    pingTimeoutMs: 300,
    reconnect: { nextDelay: () => 0 },
  });
  await client.start();
  const disconnection = new Promise<ClientEventMap["disconnection"]>((resolve) =>
    client.on("disconnection", resolve)
  );
  const reconnected = new Promise((resolve) => {
    let successes = 0;
    client.on("connectionsuccess", () => ++successes === 1 && resolve(undefined));
  });
  proxy.halfOpen();
  const { error } = await disconnection;
  assert.equal(error.reasonCode, 0x8d);
  await reconnected;
  await client.publish("after", "reconnect", { qos: 1 });
  await client.stop();
});

Deno.test("QoS 1 and 2 publishes in flight when the connection drops complete after reconnecting", async () => {
  await using broker = await startBroker();
  await using proxy = await startFaultProxy({ targetPort: broker.port });
  const listener = new MqttClient({ url: broker.url, clientId: "drop-listener", reconnect: false });
  await listener.start();
  await listener.sendSubscribe("drop/#", { qos: 2 });
  const seen = new Set<string>();
  listener.on("message", (m) => seen.add(text(m.payload)));
  const client = new MqttClient({
    url: proxy.url,
    clientId: "dropper",
    sessionExpiryInterval: 300,
    reconnect: { nextDelay: () => 10 },
  });
  await client.start();
  const all = Array.from(
    { length: 200 },
    (_, i) => client.publish("drop/x", `${i}`, { qos: (1 + i % 2) as 1 | 2 }),
  );
  proxy.drop();
  const results = await Promise.all(all);
  assert.ok(results.every((r) => r.reasonCode < 0x80));
  await client.publish("drop/x", "last", { qos: 2 });
  // Every message arrived (QoS 1 may arrive twice; the set counts distinct payloads).
  while (!seen.has("last")) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(seen.size, 201);
  await client.stop();
  await listener.stop();
});

Deno.test("a publish larger than the server's Maximum Packet Size fails alone with 0x95", async () => {
  await using broker = await startBroker({ config: ["max_packet_size 200"] });
  const client = new MqttClient({ url: broker.url, clientId: "big", reconnect: false });
  const settings = await client.start();
  assert.equal(settings.maximumPacketSizeToServer, 200);
  await assert.rejects(
    client.publish("big", new Uint8Array(500), { qos: 1 }),
    (error: ReasonCodeError) => {
      assert.ok(error instanceof ReasonCodeError);
      assert.equal(error.reasonCode, 0x95);
      return true;
    },
  );
  assert.equal((await client.publish("small", new Uint8Array(10), { qos: 1 })).reasonCode, 0x10);
  assert.equal(client.state, "connected");
  await client.stop();
});

Deno.test("broker limits split a long SUBSCRIBE into several packets with one combined result", async () => {
  await using broker = await startBroker();
  const record = recording(tcp({ hostname: "127.0.0.1", port: broker.port }), 5);
  const client = new MqttClient({
    transport: record.transport,
    clientId: "split",
    reconnect: false,
    limits: { maxSubscriptionsPerSubscribe: 2 },
  });
  await client.start();
  const result = await client.sendSubscribe(["a", "b", "c", "d", "$share/group/e"], { qos: 1 });
  assert.deepEqual(result.reasonCodes, [1, 1, 1, 1, 1]);
  const subscribes = record.written.filter((p) => p.type === "subscribe");
  assert.deepEqual(
    subscribes.map((p) => p.type === "subscribe" && p.subscriptions.map((s) => s.topicFilter)),
    [["a", "b"], ["c", "d"], ["$share/group/e"]],
  );
  // The shared subscription delivers too.
  const received = collect(client, 1);
  await client.publish("e", "shared", { qos: 1 });
  assert.equal(text((await received)[0].payload), "shared");
  await client.stop();
});

Deno.test("subscription options reach mosquitto: noLocal, retainHandling and retainAsPublished", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({ url: broker.url, clientId: "options", reconnect: false });
  const seen: string[] = [];
  client.on("message", (m) => seen.push(`${m.topic}:${text(m.payload)}:${m.retain}`));
  await client.start();
  await client.publish("opt/retained", "kept", { qos: 1, retain: true });
  // retainHandling 2: the retained message is not sent on subscribe.
  await client.sendSubscribe("opt/retained", { qos: 1, retainHandling: 2 });
  await client.sendSubscribe("opt/local", { qos: 1, noLocal: true });
  await client.sendSubscribe("opt/rap", { qos: 1, retainAsPublished: true });
  const last = collect(client, 1);
  await client.publish("opt/local", "own", { qos: 1 });
  await client.publish("opt/rap", "flag", { qos: 1, retain: true });
  await last;
  // Per-connection order: had "opt/local" or the retained message come, they were first.
  assert.deepEqual(seen, ["opt/rap:flag:true"]);
  await client.stop();
});

Deno.test("stop() with reason 0x04 makes mosquitto publish the will", async () => {
  await using broker = await startBroker();
  const watcher = new MqttClient({ url: broker.url, clientId: "will-watcher", reconnect: false });
  await watcher.start();
  await watcher.sendSubscribe("will/#", { qos: 1 });
  const will = collect(watcher, 1);
  const client = new MqttClient({
    url: broker.url,
    clientId: "will-owner",
    reconnect: false,
    will: {
      topic: "will/owner",
      payload: new TextEncoder().encode("gone"),
      qos: 1,
      retain: false,
      properties: { contentType: "text/plain" },
    },
  });
  await client.start();
  await client.stop({ reasonCode: 0x04 });
  const [message] = await will;
  assert.equal(text(message.payload), "gone");
  assert.equal(message.properties?.contentType, "text/plain");
  await watcher.stop();
});
