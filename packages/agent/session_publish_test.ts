import assert from "node:assert/strict";
import type { Packet, PublishPacket } from "@tern/codec";
import { Session } from "./session.ts";
import { MemoryStore } from "./memory_store.ts";
import { ReasonCodeError, TimeoutError } from "./errors.ts";
import { BrokerLimitError } from "./limits.ts";
import {
  bytes,
  connected,
  events,
  openAndAccept,
  sent,
  transmits,
} from "./testdata/session_fixture.ts";

const msg = (topic: string, qos: 0 | 1 | 2 = 0, text = "x") => ({
  topic,
  payload: bytes(text),
  qos,
});

Deno.test("a QoS 0 publish leaves without a packet id and completes when handed over", () => {
  const session = connected();
  const id = session.publish(msg("a/b"), 1);
  assert.deepEqual(events(session), []);
  const [t] = transmits(session, 1);
  assert.equal(t.operation, id);
  assert.deepEqual(t.packet, {
    type: "publish",
    topic: "a/b",
    payload: bytes("x"),
    qos: 0,
    retain: false,
    dup: false,
    properties: undefined,
  });
  assert.deepEqual(events(session), [{
    type: "completed",
    operation: id,
    result: { reasonCode: 0 },
  }]);
});

Deno.test("a QoS 1 publish completes on PUBACK with its reason code and properties", () => {
  const session = connected();
  const id = session.publish(msg("t", 1), 1);
  assert.equal((sent(session)[0] as PublishPacket).packetId, 1);
  session.handlePacket({
    type: "puback",
    packetId: 1,
    reasonCode: 0x10,
    properties: { reasonString: "nobody" },
  }, 2);
  assert.deepEqual(events(session), [{
    type: "completed",
    operation: id,
    result: { reasonCode: 0x10, properties: { reasonString: "nobody" } },
  }]);
});

Deno.test("a failing PUBACK fails the publish with a ReasonCodeError carrying the reason string", () => {
  const session = connected();
  const id = session.publish(msg("t", 1), 1);
  sent(session);
  session.handlePacket({
    type: "puback",
    packetId: 1,
    reasonCode: 0x87,
    properties: { reasonString: "acl" },
  }, 2);
  const [event] = events(session);
  assert.ok(event.type === "failed" && event.operation === id);
  assert.ok(event.error instanceof ReasonCodeError);
  assert.equal(event.error.reasonCode, 0x87);
  assert.equal(event.error.reasonString, "acl");
  assert.equal(
    event.error.message,
    'Cannot publish to "t": the server answered PUBACK with NotAuthorized: acl',
  );
});

Deno.test("a QoS 2 publish goes PUBLISH, PUBREC, PUBREL, PUBCOMP and reports the PUBREC code", () => {
  const store = new MemoryStore();
  const session = connected({ store });
  const id = session.publish(msg("t", 2), 1);
  sent(session);
  session.handlePacket({ type: "pubrec", packetId: 1, reasonCode: 0x10 }, 2);
  assert.deepEqual(sent(session), [{ type: "pubrel", packetId: 1 }]);
  assert.equal(store.outbound("c")[0].state, "released");
  // A repeated PUBREC is answered with the PUBREL again.
  session.handlePacket({ type: "pubrec", packetId: 1, reasonCode: 0x10 }, 3);
  assert.deepEqual(sent(session), [{ type: "pubrel", packetId: 1 }]);
  assert.deepEqual(events(session), []);
  session.handlePacket({ type: "pubcomp", packetId: 1, reasonCode: 0 }, 4);
  assert.deepEqual(events(session), [{
    type: "completed",
    operation: id,
    result: { reasonCode: 0x10, properties: undefined },
  }]);
  assert.deepEqual(store.outbound("c"), []);
});

Deno.test("a failing PUBREC ends the QoS 2 flow without PUBREL", () => {
  const session = connected();
  const id = session.publish(msg("t", 2), 1);
  sent(session);
  session.handlePacket({ type: "pubrec", packetId: 1, reasonCode: 0x97 }, 2);
  assert.deepEqual(sent(session), []);
  const [event] = events(session);
  assert.ok(event.type === "failed" && event.operation === id);
  assert.equal((event.error as ReasonCodeError).reasonName, "QuotaExceeded");
  // The packet id is free again: the next QoS 2 publish may take it later.
  assert.equal(session.stats().unackedOperationCount, 0);
});

for (
  const [title, setup, packet] of [
    ["PUBACK for a QoS 2 publish", (s: Session) => s.publish(msg("t", 2), 0), {
      type: "puback",
      packetId: 1,
      reasonCode: 0,
    }],
    ["PUBREC for a QoS 1 publish", (s: Session) => s.publish(msg("t", 1), 0), {
      type: "pubrec",
      packetId: 1,
      reasonCode: 0,
    }],
    ["PUBCOMP before PUBREC", (s: Session) => s.publish(msg("t", 2), 0), {
      type: "pubcomp",
      packetId: 1,
      reasonCode: 0,
    }],
    [
      "UNSUBACK for a SUBSCRIBE",
      (s: Session) => s.subscribe({ subscriptions: [{ topicFilter: "a", qos: 0 }] }, 0),
      { type: "unsuback", packetId: 1, reasonCodes: [0] },
    ],
  ] as [string, (s: Session) => unknown, Packet][]
) {
  Deno.test(`a misnumbered acknowledgement closes the connection: ${title}`, () => {
    const session = connected();
    setup(session);
    sent(session);
    events(session);
    session.handlePacket(packet, 1);
    assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
    const [event] = events(session);
    assert.ok(event.type === "disconnection");
    assert.equal(event.error.reasonCode, 0x82);
    assert.equal(session.state, "disconnected");
  });
}

Deno.test("QoS 1 and 2 publishes wait for the server's Receive Maximum, keeping call order", () => {
  const session = connected({}, { properties: { receiveMaximum: 2 } });
  const ids = [1, 2, 2, 0, 1].map((qos, i) => session.publish(msg(`t${i}`, qos as 0 | 1 | 2), 1));
  const first = transmits(session, 1);
  assert.deepEqual(first.map((t) => t.operation), [ids[0], ids[1]]);
  // Nothing more leaves, not even the QoS 0 publish queued behind.
  assert.deepEqual(transmits(session, 1), []);
  session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 2);
  // The QoS 0 publish needs no quota and follows as soon as it is at the front.
  assert.deepEqual(transmits(session, 2).map((t) => t.operation), [ids[2], ids[3]]);
  session.handlePacket({ type: "pubrec", packetId: 2, reasonCode: 0 }, 3);
  assert.deepEqual(sent(session, 3), [{ type: "pubrel", packetId: 2 }]);
  session.handlePacket({ type: "pubcomp", packetId: 2, reasonCode: 0 }, 4);
  assert.deepEqual(transmits(session, 4).map((t) => t.operation), [ids[4]]);
});

Deno.test("MQTT 3.1.1 keeps at most maximumInflight (default 20) publishes unacknowledged", () => {
  const v4 = connected({ protocolVersion: 4 });
  assert.equal(v4.settings?.receiveMaximumToServer, 20);
  for (let i = 0; i < 25; i++) v4.publish(msg("t", 1), 0);
  assert.equal(sent(v4).length, 20);
  const capped = connected({ maximumInflight: 3 }, { properties: { receiveMaximum: 10 } });
  assert.equal(capped.settings?.receiveMaximumToServer, 3);
});

Deno.test("packet ids run 1..65535 and are never reused while in flight", () => {
  const session = connected({ maxQueuedOperations: 70_000 });
  for (let i = 0; i < 65_536; i++) session.publish(msg("t", 1), 0);
  const first = sent(session) as PublishPacket[];
  assert.equal(first.length, 65_535);
  assert.deepEqual(new Set(first.map((p) => p.packetId)).size, 65_535);
  assert.equal(Math.min(...first.map((p) => p.packetId!)), 1);
  assert.equal(Math.max(...first.map((p) => p.packetId!)), 65_535);
  session.handlePacket({ type: "puback", packetId: 7, reasonCode: 0 }, 1);
  assert.deepEqual((sent(session, 1) as PublishPacket[]).map((p) => p.packetId), [7]);
});

Deno.test("a freed packet id is not handed out again at once", () => {
  const session = connected();
  session.publish(msg("t", 1), 0);
  sent(session);
  session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 1);
  session.publish(msg("t", 1), 1);
  assert.equal((sent(session)[0] as PublishPacket).packetId, 2);
});

Deno.test("a packet larger than the server's Maximum Packet Size fails alone with 0x95", () => {
  const session = connected(
    { packetSize: (p) => p.type === "publish" ? p.payload.length + 10 : 2 },
    { properties: { maximumPacketSize: 100 } },
  );
  const big = session.publish({ topic: "t", payload: new Uint8Array(95), qos: 1 }, 1);
  const small = session.publish({ topic: "t", payload: new Uint8Array(10), qos: 1 }, 1);
  const out = transmits(session, 1);
  assert.deepEqual(out.map((t) => t.operation), [small]);
  const [event] = events(session);
  assert.ok(event.type === "failed" && event.operation === big);
  assert.equal((event.error as ReasonCodeError).reasonCode, 0x95);
  assert.equal(
    event.error.message,
    "Cannot publish: the packet is 105 bytes, more than the server's maximum packet size of 100",
  );
});

Deno.test("publishes beyond the server's maximum QoS or retain support fail before sending", () => {
  const session = connected({}, { properties: { maximumQoS: 1, retainAvailable: false } });
  const qos2 = session.publish(msg("t", 2), 0);
  const retained = session.publish({ ...msg("t", 1), retain: true }, 0);
  assert.deepEqual(sent(session), []);
  const [a, b] = events(session);
  assert.ok(
    a.type === "failed" && a.operation === qos2 && (a.error as ReasonCodeError).reasonCode === 0x9b,
  );
  assert.ok(
    b.type === "failed" && b.operation === retained &&
      (b.error as ReasonCodeError).reasonCode === 0x9a,
  );
});

Deno.test("topic aliases are chosen least-recently-used within the server's maximum", () => {
  const session = connected({}, { properties: { topicAliasMaximum: 2 } });
  for (const topic of ["a", "a", "b", "a", "c", "b"]) session.publish(msg(topic), 0);
  const wire = (sent(session) as PublishPacket[]).map((p) => [p.topic, p.properties?.topicAlias]);
  assert.deepEqual(wire, [
    ["a", 1],
    ["", 1],
    ["b", 2],
    ["", 1],
    // "b" was least recently used: "c" takes alias 2; "b" must then be sent in full again.
    ["c", 2],
    ["b", 1],
  ]);
});

Deno.test("topic aliases reset on a new connection and stay off when disabled", () => {
  const session = connected({}, { properties: { topicAliasMaximum: 5 } });
  session.publish(msg("a"), 0);
  sent(session);
  session.handleConnectionLost(1);
  openAndAccept(session, { properties: { topicAliasMaximum: 5 } }, 2);
  session.publish(msg("a"), 2);
  assert.deepEqual((sent(session, 2)[0] as PublishPacket).topic, "a");
  const off = connected({ topicAliases: false }, { properties: { topicAliasMaximum: 5 } });
  off.publish(msg("a"), 0);
  off.publish(msg("a"), 0);
  assert.deepEqual((sent(off) as PublishPacket[]).map((p) => p.properties?.topicAlias), [
    undefined,
    undefined,
  ]);
});

Deno.test("with the session resumed, unacknowledged PUBLISH and PUBREL are resent in order", () => {
  const session = connected({ sessionExpiryInterval: 60 }, {
    properties: { topicAliasMaximum: 4 },
  });
  const q1 = session.publish(msg("one", 1), 0);
  const q2 = session.publish(msg("two", 2), 0);
  const q2b = session.publish(msg("three", 2), 0);
  sent(session);
  session.handlePacket({ type: "pubrec", packetId: 3, reasonCode: 0 }, 1);
  sent(session);
  session.handleConnectionLost(2);
  events(session);
  openAndAccept(session, { sessionPresent: true }, 3);
  const resent = transmits(session, 3);
  assert.deepEqual(resent.map((t) => t.packet), [
    {
      type: "publish",
      topic: "one",
      payload: bytes("x"),
      qos: 1,
      retain: false,
      dup: true,
      packetId: 1,
      properties: undefined,
    },
    {
      type: "publish",
      topic: "two",
      payload: bytes("x"),
      qos: 2,
      retain: false,
      dup: true,
      packetId: 2,
      properties: undefined,
    },
    { type: "pubrel", packetId: 3 },
  ]);
  assert.deepEqual(resent.map((t) => t.operation), [q1, q2, undefined]);
  session.handlePacket({ type: "pubcomp", packetId: 3, reasonCode: 0 }, 4);
  assert.deepEqual(events(session), [{
    type: "completed",
    operation: q2b,
    result: { reasonCode: 0, properties: undefined },
  }]);
});

Deno.test("without the session, in-flight publishes are sent again as new, ahead of the queue", () => {
  const session = connected({}, { properties: { receiveMaximum: 1 } });
  const first = session.publish(msg("one", 1), 0);
  const second = session.publish(msg("two", 1), 0);
  assert.equal(sent(session).length, 1);
  session.handleConnectionLost(1);
  events(session);
  openAndAccept(session, { sessionPresent: false }, 2);
  const out = transmits(session, 2);
  assert.deepEqual(out.map((t) => [t.operation, (t.packet as PublishPacket).dup]), [
    [first, false],
    [second, false],
  ]);
});

Deno.test("a publish restored from a store is resent after connecting, with no caller", () => {
  const store = new MemoryStore();
  const packet: PublishPacket = {
    type: "publish",
    topic: "t",
    payload: bytes("p"),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 42,
  };
  store.putOutbound("dev", { packetId: 42, state: "awaitingAck", packet });
  const session = new Session({ clientId: "dev", cleanStart: false, store });
  session.handleConnectionOpened(0);
  sent(session);
  session.handlePacket({ type: "connack", sessionPresent: true, reasonCode: 0 }, 1);
  events(session);
  assert.deepEqual(transmits(session, 1), [{
    packet: { ...packet, dup: true },
    operation: undefined,
  }]);
  session.handlePacket({ type: "puback", packetId: 42, reasonCode: 0 }, 2);
  assert.deepEqual(events(session), []);
  assert.deepEqual(store.outbound("dev"), []);
});

Deno.test("an acknowledgement timeout fails the operation; the late PUBACK is still accepted", () => {
  const session = connected({ ackTimeoutMs: 1_000, keepAlive: 0 });
  const id = session.publish(msg("t", 1), 0);
  sent(session, 10);
  assert.equal(session.pollTimeout(), 1_010);
  session.handleTimeout(1_010);
  const [event] = events(session);
  assert.ok(
    event.type === "failed" && event.operation === id && event.error instanceof TimeoutError,
  );
  assert.equal(event.error.message, "Cannot complete publish: no PUBACK within 1000 ms");
  session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 1_500);
  assert.deepEqual(events(session), []);
  assert.deepEqual(sent(session), []);
  assert.equal(session.state, "connected");
});

Deno.test("cancel() removes a queued operation and silences a sent one", () => {
  const session = connected({}, { properties: { receiveMaximum: 1 } });
  const sentOp = session.publish(msg("a", 1), 0);
  const queuedOp = session.publish(msg("b", 1), 0);
  sent(session);
  assert.equal(session.cancel(queuedOp), true);
  assert.equal(session.cancel(sentOp), true);
  assert.equal(session.cancel(sentOp), false);
  session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 1);
  assert.deepEqual(sent(session), []);
  assert.deepEqual(events(session), []);
});

Deno.test("abandonOperations() empties the queue and silences every flow", () => {
  const session = connected({}, { properties: { receiveMaximum: 1 } });
  session.publish(msg("a", 1), 0);
  session.publish(msg("b", 1), 0);
  sent(session);
  session.abandonOperations();
  assert.deepEqual(session.stats(), {
    incompleteOperationCount: 0,
    incompleteOperationSize: 0,
    unackedOperationCount: 0,
    unackedOperationSize: 0,
  });
  session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 1);
  assert.deepEqual(sent(session), []);
  assert.deepEqual(events(session), []);
});

Deno.test("stats() counts queued and unacknowledged operations", () => {
  const session = connected({ packetSize: () => 50 }, { properties: { receiveMaximum: 1 } });
  session.publish({ topic: "ab", payload: new Uint8Array(8), qos: 1 }, 0);
  session.publish({ topic: "ab", payload: new Uint8Array(8), qos: 1 }, 0);
  assert.deepEqual(session.stats(), {
    incompleteOperationCount: 2,
    incompleteOperationSize: 20,
    unackedOperationCount: 0,
    unackedOperationSize: 0,
  });
  sent(session);
  assert.deepEqual(session.stats(), {
    incompleteOperationCount: 2,
    incompleteOperationSize: 60,
    unackedOperationCount: 1,
    unackedOperationSize: 50,
  });
});

Deno.test("publish() rejects bad arguments with clear errors", () => {
  const session = connected();
  assert.throws(() => session.publish(msg("a/+"), 0), {
    name: "TypeError",
    message: 'Cannot publish: topic name contains a wildcard "+"',
  });
  assert.throws(() => session.publish(msg(""), 0), {
    message: "Cannot publish: topic name is empty",
  });
  assert.throws(() => session.publish({ ...msg("t"), qos: 3 as 0 }, 0), RangeError);
  assert.throws(
    () => session.publish({ ...msg("t"), properties: { topicAlias: 1 } }, 0),
    TypeError,
  );
  assert.throws(
    () => session.publish({ ...msg("t"), properties: { subscriptionIdentifiers: [1] } }, 0),
    TypeError,
  );
  const v4 = connected({ protocolVersion: 4 });
  assert.throws(() => v4.publish({ ...msg("t"), properties: { contentType: "a" } }, 0), {
    message: "Cannot publish: properties need MQTT 5",
  });
});

Deno.test("broker limits refuse oversized publishes at once and throttle the rest in order", () => {
  const session = connected({ limits: { maxPayloadBytes: 4, publishesPerSecond: 2 } });
  assert.throws(() => session.publish(msg("t", 1, "too long"), 0), BrokerLimitError);
  const ids = [0, 1, 2].map(() => session.publish(msg("t", 1), 0));
  assert.deepEqual(transmits(session, 0).map((t) => t.operation), [ids[0], ids[1]]);
  // The third waits for a token (500 ms at 2 per second); the deadline says when.
  assert.equal(session.pollTimeout(), 500);
  session.handleTimeout(500);
  assert.deepEqual(transmits(session, 500).map((t) => t.operation), [ids[2]]);
  assert.equal(session.pollTimeout(), 60_500);
});

Deno.test("broker limits check the client id and will when the session is made", () => {
  assert.throws(
    () => new Session({ clientId: "much-too-long", limits: { maxClientIdBytes: 4 } }),
    BrokerLimitError,
  );
});
