import assert from "node:assert/strict";
import type { Packet, PublishPacket } from "@tern/codec";
import { MqttClient } from "./client.ts";
import type { InboundMessage } from "./session_types.ts";
import { type PeerConnection, startAgainst, startScriptedPeer } from "./testdata/scripted_peer.ts";

async function connected() {
  const peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "c", reconnect: false });
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  await started;
  return {
    client,
    server,
    async [Symbol.asyncDispose]() {
      await client.stop();
      await server.closed();
      await peer[Symbol.asyncDispose]();
    },
  };
}

async function grant(server: PeerConnection): Promise<void> {
  const packet = await server.next();
  assert.equal(packet.type, "subscribe");
  const { packetId } = packet as Packet & { type: "subscribe" };
  await server.send({ type: "suback", packetId, reasonCodes: [2] });
}

function publish(packetId: number, qos: 1 | 2 = 1, topic = "t"): PublishPacket {
  return {
    type: "publish",
    topic,
    packetId,
    payload: new Uint8Array([packetId]),
    qos,
    retain: false,
    dup: false,
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

Deno.test("manual acks out of order leave as PUBACKs in arrival order", async () => {
  await using c = await connected();
  const got: InboundMessage[] = [];
  const subscription = c.client.subscribe("t", {
    qos: 1,
    ack: "manual",
    handler: (m) => void got.push(m),
  });
  await grant(c.server);
  await subscription;
  for (const id of [1, 2, 3]) await c.server.send(publish(id));
  await until(() => got.length === 3);
  assert.equal(c.client.stats().heldMessages, 3);
  got[2].ack!();
  got[0].ack!();
  assert.deepEqual(await c.server.next(), { type: "puback", packetId: 1, reasonCode: 0 });
  got[1].ack!();
  assert.deepEqual(await c.server.next(), { type: "puback", packetId: 2, reasonCode: 0 });
  assert.deepEqual(await c.server.next(), { type: "puback", packetId: 3, reasonCode: 0 });
  assert.equal(c.client.stats().heldMessages, 0);
});

Deno.test("ack handled sends PUBREC only once the handler finished", async () => {
  await using c = await connected();
  const release = Promise.withResolvers<void>();
  let started = false;
  const subscription = c.client.subscribe("t", {
    qos: 2,
    ack: "handled",
    handler: async () => {
      started = true;
      await release.promise;
    },
  });
  await grant(c.server);
  await subscription;
  await c.server.send(publish(5, 2));
  await until(() => started);
  assert.equal(c.client.stats().heldMessages, 1);
  release.resolve();
  assert.deepEqual(await c.server.next(), { type: "pubrec", packetId: 5, reasonCode: 0 });
});

Deno.test("a throwing handler goes to the error event with its subscription and message; the message is acknowledged and the connection carries on", async () => {
  await using c = await connected();
  const errors: { error: unknown; subscription?: unknown; message?: InboundMessage }[] = [];
  c.client.on("error", (event) => void errors.push(event));
  const handled: number[] = [];
  const subscription = c.client.subscribe("t", {
    qos: 1,
    handler: (m) => {
      handled.push(m.payload[0]);
      if (m.payload[0] === 1) throw new Error("handler bug");
    },
  });
  await grant(c.server);
  await subscription;
  await c.server.send(publish(1));
  await c.server.send(publish(2));
  assert.deepEqual(await c.server.next(), { type: "puback", packetId: 1, reasonCode: 0 });
  assert.deepEqual(await c.server.next(), { type: "puback", packetId: 2, reasonCode: 0 });
  await until(() => handled.length === 2);
  assert.equal(errors.length, 1);
  assert.equal((errors[0].error as Error).message, "handler bug");
  assert.equal(errors[0].subscription, subscription);
  assert.equal(errors[0].message?.payload[0], 1);
  assert.equal(c.client.state, "connected");
});

Deno.test("without an error listener a failing handler is logged once per subscription", async () => {
  await using c = await connected();
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const subscription = c.client.subscribe("t", {
      qos: 1,
      handler: () => Promise.reject(new Error("always")),
    });
    await grant(c.server);
    await subscription;
    for (const id of [1, 2, 3]) await c.server.send(publish(id));
    for (const id of [1, 2, 3]) {
      assert.deepEqual(await c.server.next(), { type: "puback", packetId: id, reasonCode: 0 });
    }
    await until(() => logged.length > 0);
  } finally {
    console.error = original;
  }
  assert.equal(logged.length, 1);
  assert.match(String(logged[0][0]), /the handler of the subscription to "t" failed/);
});

Deno.test("the catch-all message event acknowledges once its listeners were called, and reports a rejection", async () => {
  await using c = await connected();
  const errors: unknown[] = [];
  c.client.on("error", ({ error }) => void errors.push(error));
  const release = Promise.withResolvers<void>();
  let heard = 0;
  c.client.on("message", async () => {
    heard++;
    await release.promise;
  });
  c.client.on("message", () => Promise.reject(new Error("listener bug")));
  await c.server.send(publish(9, 1, "other"));
  // Not waiting for the listener's work, as a subscription's buffer does not.
  assert.deepEqual(await c.server.next(), { type: "puback", packetId: 9, reasonCode: 0 });
  assert.equal(heard, 1);
  release.resolve();
  await until(() => errors.length === 1);
  assert.equal((errors[0] as Error).message, "listener bug");
  assert.equal(c.client.stats().unmatchedMessages, 1);
});

Deno.test("a throwing lifecycle listener does not stop the client", async () => {
  const errors: unknown[] = [];
  const peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "c", reconnect: false });
  client.on("error", ({ error }) => void errors.push(error));
  client.on("connectionsuccess", () => {
    throw new Error("listener bug");
  });
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  await started;
  assert.equal(client.state, "connected");
  assert.equal((errors[0] as Error).message, "listener bug");
  await client.stop();
  await server.closed();
  await peer[Symbol.asyncDispose]();
});
