import assert from "node:assert/strict";
import type { Packet } from "@tern/codec";
import { MqttClient } from "./client.ts";
import {
  ClientStoppedError,
  ConnectionClosedError,
  ConnectionRefusedError,
  TimeoutError,
} from "./errors.ts";
import { MemoryStore } from "./memory_store.ts";
import { startAgainst, startScriptedPeer } from "./testdata/scripted_peer.ts";
import type { ClientEventMap } from "./client_options.ts";

function next<K extends keyof ClientEventMap>(
  client: MqttClient,
  type: K,
): Promise<ClientEventMap[K]> {
  return new Promise((resolve) => {
    const off = client.on(type, (event) => {
      off();
      resolve(event);
    });
  });
}

const connack: Packet = { type: "connack", sessionPresent: false, reasonCode: 0 };

for (
  const [title, version, bytes, reasonCode] of [
    ["a PUBLISH with QoS 3 (malformed)", 5, [0x36, 0x03, 0x00, 0x01, 0x61], 0x81],
    ["a second CONNACK", 5, [0x20, 0x03, 0x00, 0x00, 0x00], 0x82],
    ["a PUBREL with packet id 0", 5, [0x62, 0x02, 0x00, 0x00], 0x82],
    [
      "a SUBSCRIBE (never sent by a server)",
      5,
      [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x00],
      0x82,
    ],
    ["a PUBREL with wrong fixed-header flags", 5, [0x60, 0x02, 0x00, 0x01], 0x81],
    ["a PUBLISH with a property not allowed there", 5, [
      0x30,
      0x07,
      0x00,
      0x01,
      0x61,
      0x02,
      0x11,
      0x00,
      0x00,
    ], 0x81],
    ["a PUBREL with packet id 0, MQTT 3.1.1", 4, [0x62, 0x02, 0x00, 0x00], 0x82],
  ] as [string, 4 | 5, number[], number][]
) {
  Deno.test(`the client closes the connection on ${title} and reports the reason`, async () => {
    await using peer = startScriptedPeer(version);
    const client = new MqttClient({
      transport: peer.transport,
      protocolVersion: version,
      clientId: "v",
      reconnect: false,
    });
    const { started, server } = await startAgainst(peer, client);
    assert.equal((await server.next()).type, "connect");
    await server.send(connack);
    await started;
    const disconnection = next(client, "disconnection");
    const stopped = next(client, "stopped");
    await server.send(new Uint8Array(bytes));
    const { error } = await disconnection;
    assert.ok(error instanceof ConnectionClosedError);
    const after = await server.closed();
    if (version === 5) {
      // MQTT 5: a DISCONNECT with the matching reason code, then nothing more.
      assert.equal(error.reasonCode, reasonCode);
      assert.deepEqual(after.map((p) => p.type === "disconnect" && p.reasonCode), [reasonCode]);
    } else {
      assert.deepEqual(after, []);
    }
    await stopped;
    assert.equal(client.running, false);
  });
}

// Every packet type a server may send, with fixed-header flags it must not have, and cut
// short (a remaining length too small for its fields): each closes the connection with 0x81.
const serverPackets: [string, number, number[]][] = [
  ["CONNACK", 0x20, [0x00, 0x00, 0x00]],
  ["PUBACK", 0x40, [0x00, 0x01, 0x00, 0x00]],
  ["PUBREC", 0x50, [0x00, 0x01, 0x00, 0x00]],
  ["PUBREL", 0x62, [0x00, 0x01, 0x00, 0x00]],
  ["PUBCOMP", 0x70, [0x00, 0x01, 0x00, 0x00]],
  ["SUBACK", 0x90, [0x00, 0x01, 0x00, 0x00]],
  ["UNSUBACK", 0xb0, [0x00, 0x01, 0x00, 0x00]],
  ["PINGRESP", 0xd0, []],
  ["DISCONNECT", 0xe0, [0x00, 0x00]],
  ["AUTH", 0xf0, [0x00, 0x00]],
];
for (const [name, header, body] of serverPackets) {
  const variants: [string, number[]][] = [
    ["wrong fixed-header flags", [header ^ 0x01, body.length, ...body]],
  ];
  if (body.length === 2) {
    // Reason code, then a property length that claims more bytes than the packet has.
    variants.push(["cut short", [header, 2, 0x00, 0x05]]);
  } else if (body.length > 0) {
    variants.push(["cut short", [header, 1, body[0]]]);
  }
  for (const [variant, bytes] of variants) {
    Deno.test(`a ${name} with ${variant} closes the connection with Malformed Packet`, async () => {
      await using peer = startScriptedPeer(5);
      const client = new MqttClient({ transport: peer.transport, clientId: "m", reconnect: false });
      const { started, server } = await startAgainst(peer, client);
      await server.next();
      await server.send(connack);
      await started;
      const disconnection = next(client, "disconnection");
      await server.send(new Uint8Array(bytes));
      const { error } = await disconnection;
      assert.equal(error.reasonCode, 0x81);
      assert.deepEqual(
        (await server.closed()).map((p) => p.type === "disconnect" && p.reasonCode),
        [0x81],
      );
    });
  }
}

Deno.test("a refusing CONNACK rejects start() with ConnectionRefusedError and stops without reconnect", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "r", reconnect: false });
  const failure = next(client, "connectionfailure");
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await server.send({
    type: "connack",
    sessionPresent: false,
    reasonCode: 0x86,
    properties: { reasonString: "who?" },
  });
  await assert.rejects(started, (error: ConnectionRefusedError) => {
    assert.ok(error instanceof ConnectionRefusedError);
    assert.equal(error.reasonCode, 0x86);
    assert.equal(error.reasonString, "who?");
    return true;
  });
  assert.ok((await failure).error instanceof ConnectionRefusedError);
  await server.closed();
});

Deno.test("a missing CONNACK fails the attempt with a TimeoutError", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "t",
    reconnect: false,
    connackTimeoutMs: 50,
  });
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await assert.rejects(started, TimeoutError);
  await server.closed();
});

Deno.test("a withheld PUBACK rejects with TimeoutError after ackTimeoutMs; the connection stays up", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "a",
    reconnect: false,
    ackTimeoutMs: 30,
  });
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await server.send(connack);
  await started;
  await assert.rejects(client.publish("t", "x", { qos: 1 }), {
    name: "TimeoutError",
    message: "Cannot complete publish: no PUBACK within 30 ms",
  });
  const publish = await server.next();
  assert.ok(publish.type === "publish");
  // The late PUBACK is accepted quietly; a later publish still completes.
  await server.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0 });
  const second = client.publish("t", "y", { qos: 1 });
  const p2 = await server.next();
  await server.send({
    type: "puback",
    packetId: (p2 as { packetId: number }).packetId,
    reasonCode: 0x10,
  });
  assert.deepEqual(await second, { reasonCode: 0x10, properties: undefined });
  assert.equal(client.state, "connected");
  await client.stop();
  assert.deepEqual((await server.closed()).map((p) => p.type), ["disconnect"]);
});

Deno.test("a server DISCONNECT is reported with its reason and the client reconnects per its policy", async () => {
  await using peer = startScriptedPeer(5);
  const delays: number[] = [];
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "d",
    reconnect: { nextDelay: () => (delays.push(0), delays.length < 2 ? 0 : undefined) },
  });
  let accepted = peer.accept();
  const started = client.start();
  let server = await accepted;
  await server.next();
  await server.send(connack);
  await started;
  const disconnection = next(client, "disconnection");
  accepted = peer.accept();
  await server.send({ type: "disconnect", reasonCode: 0x8b, properties: { reasonString: "bye" } });
  const { error } = await disconnection;
  assert.equal(error.reasonCode, 0x8b);
  assert.equal(error.byServer, true);
  assert.equal(
    error.message,
    "Connection closed: the server sent DISCONNECT with ServerShuttingDown: bye",
  );
  server = await accepted;
  const connect = await server.next();
  assert.ok(connect.type === "connect" && connect.cleanStart === false);
  const success = next(client, "connectionsuccess");
  await server.send(connack);
  await success;
  await client.stop();
  await server.closed();
});

Deno.test("enhanced authentication runs the authenticator on each AUTH challenge", async () => {
  await using peer = startScriptedPeer(5);
  const seen: string[] = [];
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "e",
    reconnect: false,
    authenticator: {
      method: "TEST",
      initialData: () => new TextEncoder().encode("hello"),
      challenge: async (data) => {
        seen.push(new TextDecoder().decode(data));
        await Promise.resolve();
        return new TextEncoder().encode("answer");
      },
    },
  });
  const { started, server } = await startAgainst(peer, client);
  const connect = await server.next();
  assert.ok(connect.type === "connect");
  assert.equal(connect.properties?.authenticationMethod, "TEST");
  assert.equal(new TextDecoder().decode(connect.properties?.authenticationData), "hello");
  await server.send({
    type: "auth",
    reasonCode: 0x18,
    properties: {
      authenticationMethod: "TEST",
      authenticationData: new TextEncoder().encode("nonce"),
    },
  });
  const answer = await server.next();
  assert.ok(answer.type === "auth");
  assert.equal(new TextDecoder().decode(answer.properties?.authenticationData), "answer");
  await server.send({
    type: "connack",
    sessionPresent: false,
    reasonCode: 0,
    properties: { authenticationMethod: "TEST" },
  });
  await started;
  assert.deepEqual(seen, ["nonce"]);

  // Re-authentication: AUTH 0x19, a challenge, the answer, AUTH Success.
  const reauthenticated = client.reauthenticate();
  const reauth = await server.next();
  assert.ok(reauth.type === "auth" && reauth.reasonCode === 0x19);
  assert.equal(new TextDecoder().decode(reauth.properties?.authenticationData), "hello");
  await server.send({
    type: "auth",
    reasonCode: 0x18,
    properties: {
      authenticationMethod: "TEST",
      authenticationData: new TextEncoder().encode("again"),
    },
  });
  const answer2 = await server.next();
  assert.ok(answer2.type === "auth" && answer2.reasonCode === 0x18);
  await server.send({ type: "auth", reasonCode: 0, properties: { authenticationMethod: "TEST" } });
  await reauthenticated;
  assert.deepEqual(seen, ["nonce", "again"]);
  await client.stop();
  await server.closed();
});

Deno.test("a session store that throws ends the connection with that cause and settles the call", async () => {
  await using peer = startScriptedPeer(5);
  const store = new MemoryStore();
  store.putOutbound = () => {
    throw new Error("disk full");
  };
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "s",
    store,
    reconnect: false,
  });
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await server.send(connack);
  await started;
  const disconnection = next(client, "disconnection");
  const rejected = assert.rejects(client.publish("t", "x", { qos: 1 }), ClientStoppedError);
  const { error } = await disconnection;
  assert.equal((error.cause as Error).message, "disk full");
  await rejected;
  await server.closed();
});
