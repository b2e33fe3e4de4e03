import assert from "node:assert/strict";
import { Decoder } from "@tern/codec";
import type { Packet } from "@tern/codec";
import { ConnectionRefusedError } from "./errors.ts";
import { Session } from "./session.ts";
import { bytes, connected, events, openAndAccept, sent } from "./testdata/session_fixture.ts";

const msg = (qos: 1 | 2) => ({ topic: "t", payload: bytes("m"), qos });

for (
  const packet of [
    { type: "puback", packetId: 9, reasonCode: 0 },
    { type: "pubcomp", packetId: 9, reasonCode: 0 },
    { type: "suback", packetId: 9, reasonCodes: [0] },
    { type: "unsuback", packetId: 9, reasonCodes: [0] },
  ] as Packet[]
) {
  Deno.test(`a ${packet.type.toUpperCase()} for a packet id with nothing in flight is ignored, counted and reported`, () => {
    const session = connected();
    session.handlePacket(packet, 1);
    assert.deepEqual(sent(session, 1), []);
    assert.deepEqual(events(session), [{ type: "ignoredack", packet }]);
    assert.equal(session.ignoredAckCount, 1);
    assert.equal(session.state, "connected");
  });
}

Deno.test("an unknown PUBREC is answered with PUBREL: 0x92 Packet Identifier not found in MQTT 5, plain in 3.1.1", () => {
  const v5 = connected();
  v5.handlePacket({ type: "pubrec", packetId: 4, reasonCode: 0 }, 1);
  assert.deepEqual(sent(v5, 1), [{ type: "pubrel", packetId: 4, reasonCode: 0x92 }]);
  assert.equal(v5.ignoredAckCount, 1);
  const v4 = connected({ protocolVersion: 4 });
  v4.handlePacket({ type: "pubrec", packetId: 4, reasonCode: 0 }, 1);
  assert.deepEqual(sent(v4, 1), [{ type: "pubrel", packetId: 4 }]);
  assert.equal(v4.state, "connected");
});

Deno.test("an acknowledgement that contradicts what is in flight with its id still closes (0x82)", () => {
  const session = connected();
  session.publish(msg(2), 0);
  sent(session);
  session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 1);
  assert.deepEqual(sent(session, 1), [{ type: "disconnect", reasonCode: 0x82 }]);
});

Deno.test("PUBCOMP 0x92 for a PUBREL resent after a reconnect completes the publish", () => {
  const session = connected({ sessionExpiryInterval: 60 });
  const op = session.publish(msg(2), 0);
  sent(session);
  session.handlePacket({ type: "pubrec", packetId: 1, reasonCode: 0 }, 1);
  assert.deepEqual(sent(session, 1), [{ type: "pubrel", packetId: 1 }]);
  session.handleConnectionLost(2);
  events(session);
  openAndAccept(session, { sessionPresent: true }, 3);
  assert.deepEqual(sent(session, 3), [{ type: "pubrel", packetId: 1 }]);
  session.handlePacket({ type: "pubcomp", packetId: 1, reasonCode: 0x92 }, 4);
  assert.deepEqual(events(session), [
    { type: "completed", operation: op, result: { reasonCode: 0, properties: undefined } },
  ]);
  assert.equal(session.stats().incompleteOperationCount, 0);
});

Deno.test("a v5 CONNACK assigning a client id when the client sent one is a protocol error (0x82)", () => {
  const session = new Session({ clientId: "mine" });
  session.handleConnectionOpened(0);
  sent(session);
  session.handlePacket({
    type: "connack",
    sessionPresent: false,
    reasonCode: 0,
    properties: { assignedClientIdentifier: "theirs" },
  }, 1);
  assert.deepEqual(sent(session, 1), [{ type: "disconnect", reasonCode: 0x82 }]);
  const [event] = events(session);
  assert.ok(event.type === "connectionfailure");
  assert.match(event.error.message, /assigned a client identifier although the client sent one/);
  assert.equal(session.clientId, "mine");
});

/** What the decoder makes of a 3.1.1 server's answer to an MQTT 5 CONNECT. */
function v4ConnackError(): Error {
  try {
    new Decoder({ version: 5 }).push(new Uint8Array([0x20, 0x02, 0x00, 0x01]));
  } catch (error) {
    return error as Error;
  }
  throw new Error("The decoder accepted a 3.1.1 CONNACK as MQTT 5");
}

Deno.test("a 3.1.1 CONNACK with return code 1 to an MQTT 5 CONNECT is ConnectionRefusedError 0x84, the server does not support MQTT 5", () => {
  const session = new Session({ clientId: "c" });
  session.handleConnectionOpened(0);
  sent(session);
  session.handleProtocolError(v4ConnackError(), 1);
  // The server speaks 3.1.1: no MQTT 5 DISCONNECT goes to it.
  assert.deepEqual(sent(session, 1), []);
  const [event] = events(session);
  assert.ok(event.type === "connectionfailure");
  assert.ok(event.error instanceof ConnectionRefusedError);
  assert.equal(event.error.reasonCode, 0x84);
  assert.match(event.error.message, /the server does not support MQTT 5/);
  assert.equal(session.protocolVersion, 5, 'without "auto" the version stays');
});

Deno.test('protocolVersion "auto" tries 5, then 3.1.1, then 3.1, and stays with what was accepted', () => {
  const session = new Session({ clientId: "auto-1", protocolVersion: "auto" });
  assert.equal(session.protocolVersion, 5);
  session.handleConnectionOpened(0);
  sent(session);
  session.handleProtocolError(v4ConnackError(), 1);
  assert.equal(session.protocolVersion, 4);
  session.handleConnectionOpened(2);
  sent(session);
  session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 1 }, 3);
  assert.ok(events(session).some((e) => e.type === "connectionfailure"));
  assert.equal(session.protocolVersion, 3);
  session.handleConnectionOpened(4);
  sent(session);
  session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, 5);
  assert.equal(session.settings?.protocolVersion, 3);
  // Accepted once: a later refusal no longer changes the version.
  session.handleConnectionLost(6);
  session.handleConnectionOpened(7);
  sent(session);
  session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 1 }, 8);
  assert.equal(session.protocolVersion, 3);
});

Deno.test('an MQTT 5 CONNACK 0x84 Unsupported Protocol Version makes "auto" try 3.1.1', () => {
  const session = new Session({ clientId: "auto-2", protocolVersion: "auto" });
  session.handleConnectionOpened(0);
  sent(session);
  session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 0x84 }, 1);
  assert.equal(session.protocolVersion, 4);
});

Deno.test('MQTT 3.1 needs a client id of 1 to 23 characters; so does "auto", which may fall back to it', () => {
  assert.throws(
    () => new Session({ protocolVersion: 3, clientId: "" }),
    /Cannot create session: MQTT 3.1 needs a clientId of 1 to 23 characters, got 0/,
  );
  assert.throws(
    () => new Session({ protocolVersion: 3, clientId: "x".repeat(24) }),
    /got 24/,
  );
  assert.throws(() => new Session({ protocolVersion: "auto" }), /may fall back to 3.1/);
  assert.throws(
    () => new Session({ protocolVersion: 3, clientId: "c", sessionExpiryInterval: 5 }),
    /sessionExpiryInterval needs MQTT 5/,
  );
  assert.throws(
    () => new Session({ protocolVersion: 6 as 5 }),
    /protocolVersion must be 3, 4, 5 or "auto", got 6/,
  );
});
