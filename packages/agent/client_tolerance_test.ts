import assert from "node:assert/strict";
import { ClientStoppedError } from "./errors.ts";
import { MqttClient } from "./client.ts";
import { startAgainst, startScriptedPeer } from "./testdata/scripted_peer.ts";

Deno.test("stop() with DISCONNECT fields the protocol forbids throws first and leaves the client as it was", async () => {
  await using peer = startScriptedPeer(4);
  const client = new MqttClient({
    transport: peer.transport,
    protocolVersion: 4,
    clientId: "s",
    reconnect: false,
  });
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  await started;
  const publish = client.publish("t", "m", { qos: 1 });
  assert.equal((await server.next()).type, "publish");
  await assert.rejects(() => client.stop({ reasonCode: 0x04 }), TypeError);
  assert.equal(client.running, true);
  assert.equal(client.state, "connected");
  // The pending publish was not failed: its PUBACK still completes it.
  await server.send({ type: "puback", packetId: 1, reasonCode: 0 });
  assert.equal((await publish).reasonCode, 0);
  const later = client.publish("t", "m", { qos: 1 });
  assert.equal((await server.next()).type, "publish");
  await client.stop();
  await assert.rejects(later, ClientStoppedError);
  assert.deepEqual((await server.closed()).map((p) => p.type), ["disconnect"]);
});

Deno.test("a PUBACK for no publish leaves the client connected and is reported", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "i", reconnect: false });
  const ignored: number[] = [];
  client.on("ignoredack", ({ packet }) => void ignored.push(packet.packetId));
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  await started;
  await server.send({ type: "puback", packetId: 9, reasonCode: 0 });
  // A round trip after it shows the client read it and carried on.
  const result = client.publish("t", "m", { qos: 1 });
  const sent = await server.next();
  assert.equal(sent.type, "publish");
  await server.send({ type: "puback", packetId: 1, reasonCode: 0 });
  await result;
  assert.deepEqual(ignored, [9]);
  assert.equal(client.stats().ignoredAcknowledgements, 1);
  assert.equal(client.state, "connected");
  await client.stop();
  await server.closed();
});

Deno.test('protocolVersion "auto" reconnects at once with 3.1.1 when a 3.1.1 server refuses MQTT 5', async () => {
  await using peer = startScriptedPeer(4);
  const client = new MqttClient({
    transport: peer.transport,
    protocolVersion: "auto",
    reconnect: false,
  });
  const failures: Error[] = [];
  client.on("connectionfailure", ({ error }) => void failures.push(error));
  const { started, server } = await startAgainst(peer, client);
  const first = await server.next();
  assert.equal(first.type, "connect");
  const second = peer.accept();
  // A 3.1.1 CONNACK: return code 1, unacceptable protocol version.
  await server.send(new Uint8Array([0x20, 0x02, 0x00, 0x01]));
  await server.closed();
  const retry = await second;
  assert.equal((await retry.next()).type, "connect");
  await retry.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  const settings = await started;
  assert.equal(settings.protocolVersion, 4);
  assert.match(failures[0].message, /does not support MQTT 5/);
  assert.match(client.clientId, /^tern-[0-9a-f]{16}$/);
  await client.stop();
  await retry.closed();
});

Deno.test("publish() sends the bytes the payload held when it was called, also when the packet waits for a write", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "p", reconnect: false });
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  await started;
  const buffer = new Uint8Array(4);
  const sends = [];
  for (let i = 0; i < 50; i++) {
    buffer.fill(i);
    // The first is encoded at once; the rest wait for the writer, which is busy with it.
    sends.push(client.publish("t", buffer, { qos: (i % 3) as 0 | 1 | 2, wait: "sent" }));
  }
  buffer.fill(255);
  await Promise.all(sends);
  const payloads: number[] = [];
  while (payloads.length < 50) {
    const packet = await server.next();
    if (packet.type === "publish") payloads.push(packet.payload[0]);
  }
  assert.deepEqual(payloads, Array.from({ length: 50 }, (_, i) => i));
  await client.stop();
  await server.closed();
});
