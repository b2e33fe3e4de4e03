import assert from "node:assert/strict";
import { type ConnackProperties, encode, type PublishPacket } from "@tern/codec";
import { ReasonCodeError } from "./errors.ts";
import { createLimiter } from "./limits.ts";
import { negotiateSettings } from "./negotiated_settings.ts";
import type { OperationResult } from "./session_types.ts";
import { CommandQueue, type EventSink } from "./_command_queue.ts";
import { Inflight } from "./_inflight.ts";
import { measure, Outbound } from "./_outbound.ts";
import { Timers } from "./_timers.ts";
import { TopicAliases } from "./_topic_aliases.ts";
import { WriteBatch } from "./_write_batch.ts";

const publish = (qos: 0 | 1 | 2, payloadBytes = 1, topic = "t"): PublishPacket => ({
  type: "publish",
  topic,
  payload: new Uint8Array(payloadBytes),
  qos,
  retain: false,
  dup: false,
});

/** An Outbound over fresh flows, connected with CONNACK `properties`. */
function outbound(properties: ConnackProperties = {}) {
  const completed: [number, OperationResult][] = [];
  const failed: [number, Error][] = [];
  const events: EventSink = {
    push(event) {
      if (event.type === "completed") completed.push([event.operation, event.result]);
      if (event.type === "failed") failed.push([event.operation, event.error]);
    },
  };
  const queue = new CommandQueue({
    offlineQueuePolicy: "failQos0PublishOnDisconnect",
    maxQueuedOperations: 100,
    maxQueuedBytes: 1_000_000,
  }, events);
  const inflight = new Inflight({ clientId: "c", ackTimeoutMs: 0 }, () => 0);
  const aliases = new TopicAliases(0);
  const timers = new Timers();
  const out = new Outbound({ version: 5, queue, inflight, aliases, timers, events });
  const settings = negotiateSettings(
    { type: "connect", clientId: "c", cleanStart: true, keepAlive: 0 },
    { type: "connack", sessionPresent: false, reasonCode: 0, properties },
    5,
  );
  out.connected(settings, undefined);
  aliases.start(settings.topicAliasMaximumToServer);
  return { out, queue, inflight, timers, completed, failed, settings };
}

Deno.test("measure() is the encoded size, unless a packetSize function says otherwise", () => {
  const packet = publish(0, 10);
  assert.equal(measure(packet, { version: 5 }, undefined), encode(packet, { version: 5 }).length);
  assert.equal(measure(packet, { version: 5 }, () => 3), 3);
});

Deno.test("a QoS 0 publish leaves without a packet id and completes; QoS 1 takes an id", () => {
  const { out, queue, completed } = outbound();
  const zero = queue.enqueue(publish(0), 1, true);
  const one = queue.enqueue(publish(1), 1, true);
  assert.deepEqual(out.next(0, undefined), { packet: publish(0), operation: zero });
  assert.deepEqual(completed, [[zero, { reasonCode: 0 }]]);
  const sent = out.next(0, undefined)!;
  assert.equal((sent.packet as PublishPacket).packetId, 1);
  assert.equal(sent.operation, one);
  assert.equal(out.next(0, undefined), undefined);
});

Deno.test("the server's Receive Maximum holds the whole queue back", () => {
  const { out, queue, inflight } = outbound({ receiveMaximum: 1 });
  queue.enqueue(publish(1), 1, true);
  queue.enqueue(publish(1), 1, true);
  queue.enqueue(publish(0), 1, true);
  assert.ok(out.next(0, undefined));
  assert.equal(out.next(0, undefined), undefined);
  assert.equal(queue.count, 2);
  assert.equal(inflight.count, 1);
});

Deno.test("a packet over the server's Maximum Packet Size fails alone with 0x95, measured without a sink", () => {
  const { out, queue, failed, inflight } = outbound({ maximumPacketSize: 100 });
  const big = queue.enqueue(publish(1, 200), 200, true);
  const small = queue.enqueue(publish(1, 10), 10, true);
  const sent = out.next(0, undefined)!;
  assert.equal(sent.operation, small);
  assert.equal(failed.length, 1);
  assert.equal(failed[0][0], big);
  assert.ok(failed[0][1] instanceof ReasonCodeError);
  assert.equal((failed[0][1] as ReasonCodeError).reasonCode, 0x95);
  const size = encode({ ...publish(1, 200), packetId: 1 }, { version: 5 }).length;
  assert.equal(
    failed[0][1].message,
    `Cannot publish: the packet is ${size} bytes, more than the server's maximum packet size of 100`,
  );
  // The refused packet gave its id back; the one sent counts its real size.
  assert.equal((sent.packet as PublishPacket).packetId, 2);
  assert.equal(inflight.bytes, encode(sent.packet, { version: 5 }).length);
});

Deno.test("with a sink, the packets sent are encoded there and a refused one leaves no bytes", () => {
  const { out, queue } = outbound({ maximumPacketSize: 100 });
  queue.enqueue(publish(0, 200), 200, true);
  queue.enqueue(publish(0, 3), 3, true);
  const batch = new WriteBatch();
  const sent = out.next(0, batch)!;
  assert.deepEqual(batch.bytes(), encode(sent.packet, { version: 5 }));
});

Deno.test("topic aliases are chosen on the way out and committed only when the packet leaves", () => {
  const { out, queue } = outbound({ topicAliasMaximum: 1, maximumPacketSize: 100 });
  queue.enqueue(publish(0, 200, "a"), 200, true);
  queue.enqueue(publish(0, 1, "b"), 1, true);
  queue.enqueue(publish(0, 1, "b"), 1, true);
  const first = out.next(0, undefined)!.packet as PublishPacket;
  assert.deepEqual([first.topic, first.properties?.topicAlias], ["b", 1]);
  const second = out.next(0, undefined)!.packet as PublishPacket;
  assert.deepEqual([second.topic, second.properties?.topicAlias], ["", 1]);
});

Deno.test("the broker's rate limits throttle publishes and set the throttle timer", () => {
  const { out, queue, timers, settings } = outbound();
  out.connected(settings, createLimiter({ name: "test", publishesPerSecond: 1 }));
  queue.enqueue(publish(0), 1, true);
  queue.enqueue(publish(0), 1, true);
  assert.ok(out.next(0, undefined));
  assert.equal(out.next(0, undefined), undefined);
  const at = timers.next()!;
  assert.ok(at > 0);
  assert.ok(out.next(at, undefined));
});

Deno.test("a command the server said it does not support fails before it takes an id", () => {
  const { out, queue, failed } = outbound({ maximumQoS: 0 });
  const refused = queue.enqueue(publish(1), 1, true);
  assert.equal(out.next(0, undefined), undefined);
  assert.equal(failed[0][0], refused);
  assert.equal((failed[0][1] as ReasonCodeError).reasonCode, 0x9b);
});
