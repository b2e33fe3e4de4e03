import assert from "node:assert/strict";
import type { ConnackProperties, Packet, PublishPacket } from "@tern/codec";
import { SubscriptionRefusedError } from "@tern/subscriptions";
import { MqttClient } from "./client.ts";
import { ReasonCodeError } from "./errors.ts";
import { asMqttLike } from "./mqtt_like.ts";
import type { InboundMessage } from "./session_types.ts";
import { type PeerConnection, startAgainst, startScriptedPeer } from "./testdata/scripted_peer.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A started client and the scripted server end of its connection. */
async function connected(properties?: ConnackProperties) {
  const peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "c", reconnect: false });
  const { started, server } = await startAgainst(peer, client);
  await server.next();
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0, properties });
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

/** Answers the next SUBSCRIBE with `reasonCode`; returns it. */
async function grant(
  server: PeerConnection,
  reasonCode = 1,
): Promise<Packet & { type: "subscribe" }> {
  const packet = await server.next();
  assert.equal(packet.type, "subscribe");
  const subscribe = packet as Packet & { type: "subscribe" };
  await server.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [reasonCode] });
  return subscribe;
}

function publish(
  topic: string,
  payload: string,
  subscriptionIdentifiers?: number[],
): PublishPacket {
  return {
    type: "publish",
    topic,
    payload: new TextEncoder().encode(payload),
    qos: 0,
    retain: false,
    dup: false,
    properties: subscriptionIdentifiers && { subscriptionIdentifiers },
  };
}

function collect(into: string[]) {
  return (message: InboundMessage) => void into.push(`${message.topic}=${text(message.payload)}`);
}

Deno.test("with subscription identifiers a message reaches only the filters it names", async () => {
  await using c = await connected();
  const all: string[] = [];
  const exact: string[] = [];
  const wide = c.client.subscribe("a/#", { handler: collect(all) });
  const wideSubscribe = await grant(c.server);
  await wide;
  const narrow = c.client.subscribe("a/b", { handler: collect(exact) });
  const narrowSubscribe = await grant(c.server);
  await narrow;
  const wideId = wideSubscribe.properties?.subscriptionIdentifier;
  const narrowId = narrowSubscribe.properties?.subscriptionIdentifier;
  assert.ok(wideId !== undefined && narrowId !== undefined && wideId !== narrowId);

  // One copy per subscription, as a broker may send them; each goes to its own filter.
  await c.server.send(publish("a/b", "for a/#", [wideId]));
  await c.server.send(publish("a/b", "for a/b", [narrowId]));
  await c.server.send(publish("a/b", "for both", [wideId, narrowId]));
  const unmatched: string[] = [];
  c.client.on("message", collect(unmatched));
  // An identifier the client never gave: the message is nobody's.
  await c.server.send(publish("a/b", "stray", [999]));
  await c.server.send(publish("z", "sync"));
  while (unmatched.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));

  assert.deepEqual(all, ["a/b=for a/#", "a/b=for both"]);
  assert.deepEqual(exact, ["a/b=for a/b", "a/b=for both"]);
  assert.deepEqual(unmatched, ["a/b=stray", "z=sync"]);
  assert.equal(c.client.stats().unmatchedMessages, 2);
});

Deno.test("a server without subscription identifiers gets none, and messages are routed by matching", async () => {
  await using c = await connected({ subscriptionIdentifiersAvailable: false });
  const all: string[] = [];
  const exact: string[] = [];
  const wide = c.client.subscribe("a/#", { handler: collect(all) });
  assert.equal((await grant(c.server)).properties?.subscriptionIdentifier, undefined);
  await wide;
  const narrow = c.client.subscribe("a/b", { handler: collect(exact) });
  assert.equal((await grant(c.server)).properties?.subscriptionIdentifier, undefined);
  await narrow;
  const unmatched: string[] = [];
  c.client.on("message", collect(unmatched));
  await c.server.send(publish("a/b", "1"));
  await c.server.send(publish("a/c", "2"));
  await c.server.send(publish("b", "3"));
  while (unmatched.length < 1 || all.length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.deepEqual(all, ["a/b=1", "a/c=2"]);
  assert.deepEqual(exact, ["a/b=1"]);
  assert.deepEqual(unmatched, ["b=3"]);
});

Deno.test("a refused filter reads its failure code, ends its iteration, and makes asMqttLike reject", async () => {
  await using c = await connected();
  const refused = c.client.subscribe("forbidden/#", { qos: 1 });
  await grant(c.server, 0x87);
  assert.deepEqual(await refused, { reasonCodes: [0x87] });
  await assert.rejects(refused.next(), SubscriptionRefusedError);
  assert.ok(refused.closed);

  const mqtt = asMqttLike(c.client);
  const subscribing = mqtt.subscribe("forbidden/again", () => {}, { qos: 1 });
  await grant(c.server, 0x87);
  await assert.rejects(subscribing, (error) => {
    assert.ok(error instanceof ReasonCodeError);
    assert.equal(error.reasonCode, 0x87);
    assert.equal(
      error.message,
      'Cannot subscribe to "forbidden/again": the server refused with reason code 0x87',
    );
    return true;
  });
});

Deno.test("asMqttLike subscriptions get their messages in order and unsubscribe from the broker", async () => {
  await using c = await connected();
  const mqtt = asMqttLike(c.client);
  const seen: string[] = [];
  const subscribing = mqtt.subscribe("s/+", (message) => {
    seen.push(`${message.topic}=${text(message.payload)}`);
  }, { qos: 1 });
  const subscribe = await grant(c.server);
  assert.deepEqual(subscribe.subscriptions.map((s) => [s.topicFilter, s.qos]), [["s/+", 1]]);
  const subscription = await subscribing;
  for (const n of [1, 2, 3]) await c.server.send(publish(`s/${n}`, String(n)));
  while (seen.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(seen, ["s/1=1", "s/2=2", "s/3=3"]);

  const leaving = subscription.unsubscribe();
  const unsubscribe = await c.server.next();
  assert.ok(unsubscribe.type === "unsubscribe");
  assert.deepEqual(unsubscribe.topicFilters, ["s/+"]);
  await c.server.send({ type: "unsuback", packetId: unsubscribe.packetId, reasonCodes: [0] });
  await leaving;
});

Deno.test("a subscription with a handler cannot be iterated, and stays subscribed", async () => {
  await using c = await connected();
  const seen: string[] = [];
  const subscription = c.client.subscribe("h", { handler: collect(seen) });
  await grant(c.server);
  await subscription;
  await assert.rejects(subscription.next(), {
    name: "TypeError",
    message: 'Cannot iterate the subscription to "h": it has a handler',
  });
  assert.ok(!subscription.closed);
  await c.server.send(publish("h", "still"));
  while (seen.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(seen, ["h=still"]);
});

Deno.test("subscribe() checks its arguments before anything is sent", async () => {
  await using c = await connected();
  assert.throws(() => c.client.subscribe([]), {
    name: "TypeError",
    message: "Cannot subscribe: give at least one topic filter",
  });
  assert.throws(() => c.client.subscribe("a/#/b"), TypeError);
  assert.throws(() => c.client.subscribe("a", { bufferSize: 0 }), RangeError);
  assert.throws(() => c.client.subscribe("$share/g/a", { noLocal: true }), TypeError);
});
