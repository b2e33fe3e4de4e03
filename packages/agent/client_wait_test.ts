import assert from "node:assert/strict";
import { MqttClient } from "./client.ts";
import {
  connectTo,
  expectPacket,
  startAgainst,
  startScriptedPeer,
} from "./testdata/scripted_peer.ts";

/** Whether `promise` has settled, kept up to date. */
function track<T>(promise: Promise<T>): { settled: boolean; promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(() => state.settled = true, () => state.settled = true);
  return state;
}

Deno.test('start({ wait: "sent" }) resolves once CONNECT is written; "ack" waits for the held CONNACK', async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "w-start",
    reconnect: false,
  });
  const { started, server } = await startAgainst(peer, client);
  const acked = track(started);
  assert.equal(await client.start({ wait: "sent" }), undefined);
  await expectPacket(server, "connect");
  assert.equal(client.state, "connecting");
  assert.equal(acked.settled, false);
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  assert.equal((await acked.promise).clientId, "w-start");
  await client.stop();
});

Deno.test('start({ wait: "none" }) resolves at once, with the client running', async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "w-none",
    reconnect: false,
  });
  const accepted = peer.accept();
  assert.equal(await client.start({ wait: "none" }), undefined);
  assert.equal(client.running, true);
  const server = await accepted;
  await expectPacket(server, "connect");
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  assert.equal((await client.start()).clientId, "w-none");
  await client.stop();
});

Deno.test('sendSubscribe and sendUnsubscribe with wait "sent" resolve while the acknowledgement is held; "ack" once released', async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "w-sub", reconnect: false });
  const server = await connectTo(peer, client);

  const subscribed = track(client.sendSubscribe("w/a", { qos: 1 }));
  assert.equal(await client.sendSubscribe("w/b", { qos: 1, wait: "sent" }), undefined);
  const first = await expectPacket(server, "subscribe");
  await expectPacket(server, "subscribe");
  assert.equal(subscribed.settled, false);
  await server.send({ type: "suback", packetId: first.packetId, reasonCodes: [1] });
  assert.deepEqual((await subscribed.promise).reasonCodes, [1]);

  const unsubscribed = track(client.sendUnsubscribe("w/a"));
  assert.equal(await client.sendUnsubscribe("w/b", { wait: "sent" }), undefined);
  const unsubscribe = await expectPacket(server, "unsubscribe");
  await expectPacket(server, "unsubscribe");
  assert.equal(unsubscribed.settled, false);
  await server.send({ type: "unsuback", packetId: unsubscribe.packetId, reasonCodes: [0] });
  assert.deepEqual((await unsubscribed.promise).reasonCodes, [0]);
  await client.stop();
});

Deno.test('publish with wait "sent" resolves while the PUBACK is held; "ack" with the PUBACK', async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "w-pub", reconnect: false });
  const server = await connectTo(peer, client);
  const acked = track(client.publish("w/p", "ack", { qos: 1 }));
  assert.equal(await client.publish("w/p", "sent", { qos: 1, wait: "sent" }), undefined);
  const publish = await expectPacket(server, "publish");
  await expectPacket(server, "publish");
  assert.equal(acked.settled, false);
  await server.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0x10 });
  assert.equal((await acked.promise).reasonCode, 0x10);
  await client.stop();
});

Deno.test('wait "none" resolves while offline; the SUBSCRIBE leaves once connected', async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "w-off", reconnect: false });
  assert.equal(await client.sendSubscribe("w/later", { wait: "none" }), undefined);
  const server = await connectTo(peer, client);
  const subscribe = await expectPacket(server, "subscribe");
  assert.equal(subscribe.subscriptions[0].topicFilter, "w/later");
  await client.stop();
});
