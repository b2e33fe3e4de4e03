import assert from "node:assert/strict";
import type { PublishPacket } from "@tern/codec";
import type { InboundDelivery, SessionEvent } from "./session_types.ts";
import { bytes, connected, events, openAndAccept, sent } from "./testdata/session_fixture.ts";

const publish = (fields: Partial<PublishPacket>): PublishPacket => ({
  type: "publish",
  topic: "t",
  payload: bytes("m"),
  qos: 1,
  retain: false,
  dup: false,
  ...fields,
});

/** The deliveries of the message events, in order. */
function deliveries(list: SessionEvent[]): InboundDelivery[] {
  return list.flatMap((e) => e.type === "message" && e.delivery ? [e.delivery] : []);
}

const held = { inboundAcknowledgement: "whenTaken" } as const;

Deno.test("whenTaken: a QoS 1 / 2 message is acknowledged only once the application took it", () => {
  const session = connected(held);
  session.handlePacket(publish({ packetId: 1 }), 1);
  session.handlePacket(publish({ packetId: 2, qos: 2 }), 2);
  const [a, b] = deliveries(events(session));
  assert.deepEqual(sent(session, 3), []);
  assert.equal(session.heldMessageCount, 2);
  session.messageTaken(a, 4);
  assert.deepEqual(sent(session, 4), [{ type: "puback", packetId: 1 }]);
  session.messageTaken(b, 5);
  session.messageTaken(b, 5);
  assert.deepEqual(sent(session, 5), [{ type: "pubrec", packetId: 2 }]);
  assert.equal(session.heldMessageCount, 0);
});

Deno.test("whenTaken: acknowledgements leave in arrival order when messages are taken out of order", () => {
  const session = connected(held);
  for (let id = 1; id <= 4; id++) {
    session.handlePacket(publish({ packetId: id, qos: id % 2 ? 1 : 2 }), id);
  }
  const list = deliveries(events(session));
  session.messageTaken(list[3], 5);
  session.messageTaken(list[1], 5);
  assert.deepEqual(sent(session, 5), []);
  session.messageTaken(list[0], 6);
  assert.deepEqual(sent(session, 6), [
    { type: "puback", packetId: 1 },
    { type: "pubrec", packetId: 2 },
  ]);
  session.messageTaken(list[2], 7);
  assert.deepEqual(sent(session, 7), [
    { type: "puback", packetId: 3 },
    { type: "pubrec", packetId: 4 },
  ]);
});

Deno.test("whenTaken: held messages never exceed the client's Receive Maximum; one more closes with 0x93", () => {
  const session = connected({ ...held, receiveMaximum: 3 });
  for (let id = 1; id <= 3; id++) session.handlePacket(publish({ packetId: id }), id);
  assert.equal(session.state, "connected");
  const list = deliveries(events(session));
  // Taking one frees its slot for the next message.
  session.messageTaken(list[0], 4);
  assert.deepEqual(sent(session, 4), [{ type: "puback", packetId: 1 }]);
  session.handlePacket(publish({ packetId: 4 }), 5);
  assert.equal(session.state, "connected");
  session.handlePacket(publish({ packetId: 5 }), 6);
  assert.equal(session.state, "disconnected");
  assert.deepEqual(sent(session, 6), [{ type: "disconnect", reasonCode: 0x93 }]);
});

Deno.test("whenTaken: while acknowledgements are held, pings and our own acknowledgements keep flowing", () => {
  const session = connected({ ...held, keepAlive: 10 });
  session.handlePacket(publish({ packetId: 1 }), 1);
  const own = session.publish({ topic: "out", payload: bytes("x"), qos: 1 }, 1);
  assert.equal(sent(session, 1)[0].type, "publish");
  session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 2);
  assert.ok(events(session).some((e) => e.type === "completed" && e.operation === own));
  session.handleTimeout(10_001);
  assert.deepEqual(sent(session, 10_001), [{ type: "pingreq" }]);
  session.handlePacket({ type: "pingresp" }, 10_002);
  assert.equal(session.state, "connected");
  assert.equal(session.heldMessageCount, 1);
});

Deno.test("whenTaken: a QoS 1 message held across a reconnect is handed over once and acknowledged after its resend", () => {
  const session = connected({ ...held, sessionExpiryInterval: 60 });
  session.handlePacket(publish({ packetId: 7 }), 1);
  const [first] = deliveries(events(session));
  session.handleConnectionLost(2);
  events(session);
  session.messageTaken(first, 3);
  openAndAccept(session, { sessionPresent: true }, 4);
  assert.deepEqual(sent(session, 4), []);
  // [MQTT-4.4.0-1] The server resends the unacknowledged PUBLISH with DUP.
  session.handlePacket(publish({ packetId: 7, dup: true }), 5);
  assert.deepEqual(events(session), []);
  assert.deepEqual(sent(session, 5), [{ type: "puback", packetId: 7 }]);
});

Deno.test("whenTaken: a QoS 2 message stays exactly once across a reconnect, taken before or after the resend", () => {
  const session = connected({ ...held, sessionExpiryInterval: 60 });
  session.handlePacket(publish({ packetId: 8, qos: 2 }), 1);
  const [first] = deliveries(events(session));
  session.handleConnectionLost(2);
  events(session);
  openAndAccept(session, { sessionPresent: true }, 3);
  session.handlePacket(publish({ packetId: 8, qos: 2, dup: true }), 4);
  assert.deepEqual(events(session), []);
  assert.deepEqual(sent(session, 4), [], "PUBREC waits for the first copy to be taken");
  session.messageTaken(first, 5);
  assert.deepEqual(sent(session, 5), [{ type: "pubrec", packetId: 8 }]);
  session.handlePacket({ type: "pubrel", packetId: 8 }, 6);
  assert.deepEqual(sent(session, 6), [{ type: "pubcomp", packetId: 8 }]);
});

Deno.test("whenTaken: when the server lost the session, a held message's redelivery is a new message", () => {
  const session = connected({ ...held, sessionExpiryInterval: 60 });
  session.handlePacket(publish({ packetId: 7 }), 1);
  const [first] = deliveries(events(session));
  session.handleConnectionLost(2);
  openAndAccept(session, { sessionPresent: false }, 3);
  session.messageTaken(first, 3);
  assert.deepEqual(sent(session, 3), []);
  session.handlePacket(publish({ packetId: 7 }), 4);
  assert.equal(deliveries(events(session)).length, 1);
});

Deno.test("onArrival (the session's default) acknowledges at once and carries no delivery", () => {
  const session = connected();
  session.handlePacket(publish({ packetId: 3 }), 1);
  assert.deepEqual(deliveries(events(session)), []);
  assert.deepEqual(sent(session, 1), [{ type: "puback", packetId: 3 }]);
});

Deno.test("an unknown inboundAcknowledgement is refused with a clear error", () => {
  assert.throws(
    () => connected({ inboundAcknowledgement: "later" as "whenTaken" }),
    /Cannot create session: inboundAcknowledgement must be "onArrival" or "whenTaken", got later/,
  );
});
