import assert from "node:assert/strict";
import type { PublishPacket, SubscribePacket } from "@tern/codec";
import { ReasonCodeError, TimeoutError } from "./errors.ts";
import { MemoryStore } from "./memory_store.ts";
import type { Transmit } from "./session_types.ts";
import { Inflight } from "./_inflight.ts";

const options = { clientId: "c", ackTimeoutMs: 0 };
const publish = (qos: 0 | 1 | 2, packetId?: number): PublishPacket => ({
  type: "publish",
  topic: "t",
  payload: new Uint8Array([1]),
  qos,
  retain: false,
  dup: false,
  packetId,
});
const subscribe: SubscribePacket = {
  type: "subscribe",
  packetId: 0,
  subscriptions: [{ topicFilter: "a", qos: 1 }, { topicFilter: "b", qos: 0 }],
};

/** Opens `packet` as operation `op`, with the next packet id. */
function open(inflight: Inflight, op: number, packet: PublishPacket | SubscribePacket): number {
  const packetId = inflight.takeId();
  inflight.open(packetId, op, { ...packet, packetId }, 10, 0);
  return packetId;
}

Deno.test("canOpen() holds QoS 1 / 2 publishes at Receive Maximum, never QoS 0 or SUBSCRIBE", () => {
  const inflight = new Inflight(options, () => 0);
  assert.equal(inflight.canOpen(publish(1), 1), true);
  open(inflight, 1, publish(1));
  assert.equal(inflight.canOpen(publish(2), 1), false);
  assert.equal(inflight.canOpen(publish(0), 1), true);
  assert.equal(inflight.canOpen(subscribe, 1), true);
  assert.deepEqual([inflight.count, inflight.bytes], [1, 10]);
});

Deno.test("a PUBACK ends its QoS 1 flow with the reason code, or with a ReasonCodeError", () => {
  const inflight = new Inflight(options, () => 0);
  const ok = open(inflight, 1, publish(1));
  const bad = open(inflight, 2, publish(1));
  const done = inflight.acknowledge({ type: "puback", packetId: ok, reasonCode: 0x10 }, false);
  assert.ok("result" in done);
  assert.deepEqual(done.result, { reasonCode: 0x10, properties: undefined });
  const failed = inflight.acknowledge({ type: "puback", packetId: bad, reasonCode: 0x87 }, false);
  assert.ok("error" in failed && failed.error instanceof ReasonCodeError);
  assert.equal(
    failed.error.message,
    'Cannot publish to "t": the server answered PUBACK with NotAuthorized',
  );
  assert.deepEqual([inflight.count, inflight.bytes], [0, 0]);
});

Deno.test("an acknowledgement no flight expects is a violation", () => {
  const inflight = new Inflight(options, () => 0);
  const id = open(inflight, 1, publish(2));
  assert.deepEqual(inflight.acknowledge({ type: "puback", packetId: id }, false), {
    violation: `Unexpected PUBACK: no QoS 1 publish in flight with packet id ${id}`,
  });
  assert.deepEqual(inflight.acknowledge({ type: "pubcomp", packetId: id }, false), {
    violation: `Unexpected PUBCOMP: no released QoS 2 publish with packet id ${id}`,
  });
  assert.deepEqual(inflight.acknowledge({ type: "suback", packetId: 9, reasonCodes: [0] }, false), {
    violation: "Unexpected SUBACK: no SUBSCRIBE in flight with packet id 9",
  });
});

Deno.test("QoS 2: PUBREC releases the flow (PUBREL follows), PUBCOMP completes with the PUBREC's code", () => {
  const store = new MemoryStore();
  const inflight = new Inflight({ ...options, store }, () => 0);
  const id = open(inflight, 1, publish(2));
  assert.deepEqual(
    inflight.acknowledge({ type: "pubrec", packetId: id, reasonCode: 0x10 }, false),
    {
      pubrel: id,
    },
  );
  // A repeated PUBREC gets PUBREL again.
  assert.deepEqual(inflight.acknowledge({ type: "pubrec", packetId: id }, false), { pubrel: id });
  assert.equal([...store.outbound("c")][0].state, "released");
  const done = inflight.acknowledge({ type: "pubcomp", packetId: id }, false);
  assert.ok("result" in done);
  assert.deepEqual(done.result, { reasonCode: 0x10, properties: undefined });
  assert.deepEqual([...store.outbound("c")], []);
});

Deno.test("a SUBACK needs one reason code per filter; an MQTT 3.1.1 UNSUBACK has none", () => {
  const inflight = new Inflight(options, () => 0);
  const id = open(inflight, 1, subscribe);
  assert.deepEqual(
    inflight.acknowledge({ type: "suback", packetId: id, reasonCodes: [1] }, false),
    {
      violation: "SUBACK has 1 reason codes for 2 topic filters",
    },
  );
  const unsubscribe = inflight.takeId();
  inflight.open(
    unsubscribe,
    2,
    { type: "unsubscribe", packetId: unsubscribe, topicFilters: ["a", "b"] },
    5,
    0,
  );
  const done = inflight.acknowledge(
    { type: "unsuback", packetId: unsubscribe, reasonCodes: [] },
    true,
  );
  assert.ok("result" in done);
  assert.deepEqual(done.result, { reasonCodes: [0, 0], properties: undefined });
});

Deno.test("resend() sends every flow again in order: PUBLISH with DUP, PUBREL once released [MQTT-4.4.0-1]", () => {
  const inflight = new Inflight(options, () => 0);
  open(inflight, 1, publish(1));
  const b = open(inflight, 2, publish(2));
  open(inflight, 3, subscribe);
  inflight.acknowledge({ type: "pubrec", packetId: b }, false);
  const out: Transmit[] = [];
  inflight.resend(out);
  assert.deepEqual(out.map((t) => [t.packet.type, t.operation]), [
    ["publish", 1],
    ["pubrel", undefined],
    ["subscribe", 3],
  ]);
  assert.equal((out[0].packet as PublishPacket).dup, true);
});

Deno.test("requeueAsNew() returns unfinished flows as new commands and completes released ones", () => {
  const inflight = new Inflight(options, () => 0);
  open(inflight, 1, publish(1));
  const released = open(inflight, 2, publish(2));
  open(inflight, 3, subscribe);
  inflight.acknowledge({ type: "pubrec", packetId: released }, false);
  const completed: number[] = [];
  const commands = inflight.requeueAsNew((op) => completed.push(op));
  assert.deepEqual(completed, [2]);
  assert.deepEqual(commands.map((c) => [c.id, c.packet.type, c.size]), [
    [1, "publish", 10],
    [3, "subscribe", 10],
  ]);
  assert.equal((commands[0].packet as PublishPacket).packetId, undefined);
  assert.deepEqual([inflight.count, inflight.bytes], [0, 0]);
  // Every packet id is free again.
  assert.equal(inflight.takeId(), 4);
});

Deno.test("expire() fails overdue operations once; their flows run on, no longer counted", () => {
  const inflight = new Inflight({ ...options, ackTimeoutMs: 100 }, () => 0);
  const id = open(inflight, 1, publish(1));
  assert.equal(inflight.nextDeadline(), 100);
  const failed: [number, Error][] = [];
  inflight.expire(99, (op, error) => failed.push([op, error]));
  assert.equal(failed.length, 0);
  inflight.expire(100, (op, error) => failed.push([op, error]));
  assert.equal(failed.length, 1);
  assert.ok(failed[0][1] instanceof TimeoutError);
  assert.equal(failed[0][1].message, "Cannot complete publish: no PUBACK within 100 ms");
  assert.deepEqual([inflight.count, inflight.bytes, inflight.nextDeadline()], [0, 0, undefined]);
  const late = inflight.acknowledge({ type: "puback", packetId: id }, false);
  assert.ok("result" in late && late.flight.op === 0);
});

Deno.test("flows restored from the store keep their packet ids and count their bytes", () => {
  const store = new MemoryStore();
  store.putOutbound("c", { packetId: 7, state: "awaitingAck", packet: publish(1, 7) });
  const inflight = new Inflight({ ...options, store }, () => 12);
  assert.deepEqual([inflight.count, inflight.bytes], [0, 12]);
  assert.equal(inflight.canOpen(publish(1), 1), false);
  const done = inflight.acknowledge({ type: "puback", packetId: 7 }, false);
  assert.ok("result" in done && done.flight.op === 0);
});

Deno.test("cancel() and abandon() stop reporting operations but keep their flows", () => {
  const inflight = new Inflight(options, () => 0);
  const a = open(inflight, 1, publish(1));
  open(inflight, 2, publish(1));
  assert.equal(inflight.cancel(1), true);
  assert.equal(inflight.cancel(1), false);
  inflight.abandon();
  assert.deepEqual([inflight.count, inflight.bytes], [0, 0]);
  assert.ok("result" in inflight.acknowledge({ type: "puback", packetId: a }, false));
});
