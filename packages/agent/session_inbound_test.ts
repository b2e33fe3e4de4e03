import assert from "node:assert/strict";
import type { Packet, PublishPacket } from "@tern/codec";
import { MemoryStore } from "./memory_store.ts";
import type { ReasonCodeError } from "./errors.ts";
import { bytes, connected, events, openAndAccept, sent } from "./testdata/session_fixture.ts";

const publish = (fields: Partial<PublishPacket>): PublishPacket => ({
  type: "publish",
  topic: "t",
  payload: bytes("m"),
  qos: 0,
  retain: false,
  dup: false,
  ...fields,
});

Deno.test("inbound QoS 0 is delivered without an acknowledgement, QoS 1 with PUBACK", () => {
  const session = connected();
  session.handlePacket(publish({ retain: true, properties: { contentType: "text/plain" } }), 1);
  session.handlePacket(publish({ qos: 1, packetId: 5 }), 2);
  assert.deepEqual(
    events(session).map((e) =>
      e.type === "message" && [e.message.qos, e.message.retain, e.message.properties]
    ),
    [
      [0, true, { contentType: "text/plain" }],
      [1, false, undefined],
    ],
  );
  assert.deepEqual(sent(session), [{ type: "puback", packetId: 5 }]);
});

Deno.test("inbound QoS 2 is delivered exactly once across duplicates until PUBREL", () => {
  const store = new MemoryStore();
  const session = connected({ store });
  session.handlePacket(publish({ qos: 2, packetId: 9 }), 1);
  session.handlePacket(publish({ qos: 2, packetId: 9, dup: true }), 2);
  assert.equal(events(session).length, 1);
  assert.deepEqual(sent(session), [{ type: "pubrec", packetId: 9 }, {
    type: "pubrec",
    packetId: 9,
  }]);
  assert.deepEqual(store.inboundReceived("c"), [9]);
  session.handlePacket({ type: "pubrel", packetId: 9, reasonCode: 0 }, 3);
  assert.deepEqual(sent(session), [{ type: "pubcomp", packetId: 9 }]);
  assert.deepEqual(store.inboundReceived("c"), []);
  // The id is free: a new message with it is a new delivery.
  session.handlePacket(publish({ qos: 2, packetId: 9 }), 4);
  assert.equal(events(session).length, 1);
});

Deno.test("inbound QoS 2 state survives a reconnect with the session resumed", () => {
  const session = connected({ sessionExpiryInterval: 60 });
  session.handlePacket(publish({ qos: 2, packetId: 4 }), 1);
  events(session);
  session.handleConnectionLost(2);
  events(session);
  openAndAccept(session, { sessionPresent: true }, 3);
  session.handlePacket(publish({ qos: 2, packetId: 4, dup: true }), 4);
  assert.deepEqual(events(session), []);
  assert.deepEqual(sent(session), [{ type: "pubrec", packetId: 4 }]);
});

Deno.test("PUBREL for an unknown packet id is answered with PUBCOMP 0x92 (MQTT 5) or plain (3.1.1)", () => {
  const v5 = connected();
  v5.handlePacket({ type: "pubrel", packetId: 77, reasonCode: 0 }, 1);
  assert.deepEqual(sent(v5), [{ type: "pubcomp", packetId: 77, reasonCode: 0x92 }]);
  assert.equal(v5.state, "connected");
  const v4 = connected({ protocolVersion: 4 });
  v4.handlePacket({ type: "pubrel", packetId: 77 }, 1);
  assert.deepEqual(sent(v4), [{ type: "pubcomp", packetId: 77 }]);
});

Deno.test("inbound topic aliases are set, resolved, and forgotten with the connection", () => {
  const session = connected({ topicAliasMaximum: 3 });
  session.handlePacket(publish({ topic: "long/topic", properties: { topicAlias: 2 } }), 1);
  session.handlePacket(publish({ topic: "", properties: { topicAlias: 2 } }), 2);
  assert.deepEqual(events(session).map((e) => e.type === "message" && e.message.topic), [
    "long/topic",
    "long/topic",
  ]);
  session.handleConnectionLost(3);
  events(session);
  openAndAccept(session, {}, 4);
  session.handlePacket(publish({ topic: "", properties: { topicAlias: 2 } }), 5);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
});

for (
  const [title, packet, reasonCode] of [
    ["a topic alias above the client's maximum", publish({ properties: { topicAlias: 4 } }), 0x94],
    ["topic alias 0", publish({ properties: { topicAlias: 0 } }), 0x94],
    ["an alias that was never set", publish({ topic: "", properties: { topicAlias: 1 } }), 0x82],
    ["an empty topic without alias", publish({ topic: "" }), 0x82],
    ["a wildcard in the topic name", publish({ topic: "a/#" }), 0x90],
    ["CONNECT", { type: "connect", clientId: "x", cleanStart: true, keepAlive: 0 }, 0x82],
    [
      "SUBSCRIBE",
      { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "a", qos: 0 }] },
      0x82,
    ],
    ["UNSUBSCRIBE", { type: "unsubscribe", packetId: 1, topicFilters: ["a"] }, 0x82],
    ["PINGREQ", { type: "pingreq" }, 0x82],
  ] as [string, Packet, number][]
) {
  Deno.test(`a server packet with ${title} closes the connection with 0x${reasonCode.toString(16)}`, () => {
    const session = connected({ topicAliasMaximum: 3 });
    session.handlePacket(packet, 1);
    assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode }]);
    const [event] = events(session);
    assert.ok(event.type === "disconnection" && event.error.reasonCode === reasonCode);
    // Not half-alive: later packets get no answer and no delivery.
    session.handlePacket(publish({ qos: 1, packetId: 1 }), 2);
    assert.deepEqual(sent(session), []);
    assert.deepEqual(events(session), []);
  });
}

Deno.test("an MQTT 3.1.1 connection closes without DISCONNECT when the server sends one", () => {
  const session = connected({ protocolVersion: 4 });
  session.handlePacket({ type: "disconnect" }, 1);
  assert.deepEqual(sent(session), []);
  const [event] = events(session);
  assert.ok(event.type === "disconnection" && event.error.reasonCode === 0x82);
});

Deno.test("the server exceeding the client's Receive Maximum closes with 0x93", () => {
  const session = connected({ receiveMaximum: 2 });
  session.handlePacket(publish({ qos: 2, packetId: 1 }), 1);
  session.handlePacket(publish({ qos: 2, packetId: 2 }), 2);
  session.handlePacket(publish({ qos: 2, packetId: 3 }), 3);
  assert.deepEqual(sent(session).at(-1), { type: "disconnect", reasonCode: 0x93 });
  assert.equal(events(session).filter((e) => e.type === "message").length, 2);
});

Deno.test("subscribe() resolves with one reason code per filter and sends options and properties", () => {
  const session = connected();
  const subscriptions = [
    {
      topicFilter: "a/+",
      qos: 1 as const,
      noLocal: true,
      retainAsPublished: true,
      retainHandling: 2 as const,
    },
    { topicFilter: "$share/g/b", qos: 2 as const },
  ];
  const id = session.subscribe({
    subscriptions,
    properties: { subscriptionIdentifier: 7, userProperties: [["k", "v"]] },
  }, 0);
  assert.deepEqual(sent(session), [{
    type: "subscribe",
    packetId: 1,
    subscriptions,
    properties: { subscriptionIdentifier: 7, userProperties: [["k", "v"]] },
  }]);
  session.handlePacket({
    type: "suback",
    packetId: 1,
    reasonCodes: [1, 0x9e],
    properties: { reasonString: "no share" },
  }, 1);
  assert.deepEqual(events(session), [{
    type: "completed",
    operation: id,
    result: { reasonCodes: [1, 0x9e], properties: { reasonString: "no share" } },
  }]);
});

Deno.test("a SUBACK with the wrong number of reason codes closes the connection", () => {
  const session = connected();
  session.subscribe(
    { subscriptions: [{ topicFilter: "a", qos: 0 }, { topicFilter: "b", qos: 0 }] },
    0,
  );
  sent(session);
  session.handlePacket({ type: "suback", packetId: 1, reasonCodes: [0] }, 1);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
});

Deno.test("unsubscribe() reports per-filter codes; MQTT 3.1.1 UNSUBACK reads as Success for each", () => {
  const v5 = connected();
  const a = v5.unsubscribe({ topicFilters: ["a", "b"] }, 0);
  sent(v5);
  v5.handlePacket({ type: "unsuback", packetId: 1, reasonCodes: [0, 0x11] }, 1);
  assert.deepEqual(events(v5), [{
    type: "completed",
    operation: a,
    result: { reasonCodes: [0, 0x11], properties: undefined },
  }]);
  const v4 = connected({ protocolVersion: 4 });
  const b = v4.unsubscribe({ topicFilters: ["a", "b"] }, 0);
  sent(v4);
  v4.handlePacket({ type: "unsuback", packetId: 1, reasonCodes: [] }, 1);
  assert.deepEqual(events(v4), [{
    type: "completed",
    operation: b,
    result: { reasonCodes: [0, 0], properties: undefined },
  }]);
});

Deno.test("subscriptions the server announced it does not support fail before sending", () => {
  const session = connected({}, {
    properties: {
      subscriptionIdentifiersAvailable: false,
      sharedSubscriptionAvailable: false,
      wildcardSubscriptionAvailable: false,
    },
  });
  const codes = [
    session.subscribe({
      subscriptions: [{ topicFilter: "a", qos: 0 }],
      properties: { subscriptionIdentifier: 1 },
    }, 0),
    session.subscribe({ subscriptions: [{ topicFilter: "$share/g/a", qos: 0 }] }, 0),
    session.subscribe({ subscriptions: [{ topicFilter: "a/#", qos: 0 }] }, 0),
  ];
  assert.deepEqual(sent(session), []);
  assert.deepEqual(
    events(session).map((e) =>
      e.type === "failed" && [e.operation, (e.error as ReasonCodeError).reasonCode]
    ),
    [[codes[0], 0xa1], [codes[1], 0x9e], [codes[2], 0xa2]],
  );
});

Deno.test("subscribe() and unsubscribe() reject bad filters and options", () => {
  const session = connected();
  const sub = (topicFilter: string, extra = {}) => () =>
    session.subscribe({ subscriptions: [{ topicFilter, qos: 0, ...extra }] }, 0);
  assert.throws(sub("a/#/b"), {
    message: 'Cannot subscribe: topic filter "a/#/b" has "#" that is not the whole last level',
  });
  assert.throws(sub("a+"), TypeError);
  assert.throws(sub("$share/g"), TypeError);
  assert.throws(sub("$share/g/a", { noLocal: true }), TypeError);
  assert.throws(() => session.subscribe({ subscriptions: [] }, 0), {
    message: "Cannot subscribe: at least one topic filter is required",
  });
  assert.throws(() => session.unsubscribe({ topicFilters: ["a/#x"] }, 0), TypeError);
  const v4 = connected({ protocolVersion: 4 });
  assert.throws(
    () => v4.subscribe({ subscriptions: [{ topicFilter: "a", qos: 0, noLocal: true }] }, 0),
    {
      message: "Cannot subscribe: subscription options need MQTT 5",
    },
  );
});

Deno.test("an unacknowledged SUBSCRIBE is sent again after a reconnect", () => {
  const session = connected();
  const id = session.subscribe({ subscriptions: [{ topicFilter: "a", qos: 1 }] }, 0);
  sent(session);
  session.handleConnectionLost(1);
  events(session);
  openAndAccept(session, {}, 2);
  const [packet] = sent(session, 2);
  assert.equal(packet.type, "subscribe");
  session.handlePacket({
    type: "suback",
    packetId: (packet as { packetId: number }).packetId,
    reasonCodes: [1],
  }, 3);
  assert.deepEqual(events(session), [{
    type: "completed",
    operation: id,
    result: { reasonCodes: [1], properties: undefined },
  }]);
});

Deno.test("a server flooding packets that need answers it never reads is disconnected", () => {
  const session = connected();
  for (let i = 0; i < 100_001; i++) {
    session.handlePacket({ type: "pubrel", packetId: 1 + (i % 65_535) }, 1);
  }
  assert.equal(session.state, "disconnected");
  const [event] = events(session);
  assert.ok(event.type === "disconnection" && event.error.reasonCode === 0x96);
});
