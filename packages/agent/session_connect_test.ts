import assert from "node:assert/strict";
import { MalformedPacketError } from "@tern/codec";
import { DEFAULT_MAXIMUM_PACKET_SIZE, Session } from "./session.ts";
import { ConnectionClosedError, ConnectionRefusedError, TimeoutError } from "./errors.ts";
import { bytes, connected, events, openAndAccept, sent } from "./testdata/session_fixture.ts";

Deno.test("handleConnectionOpened() queues a CONNECT carrying every configured field", () => {
  const will = {
    topic: "w",
    payload: bytes("bye"),
    qos: 1 as const,
    retain: true,
    properties: { willDelayInterval: 5 },
  };
  const session = new Session({
    clientId: "dev",
    keepAlive: 30,
    username: "u",
    password: "p",
    will,
    sessionExpiryInterval: 300,
    receiveMaximum: 10,
    maximumPacketSize: 4096,
    topicAliasMaximum: 8,
    requestProblemInformation: true,
    userProperties: [["k", "v"]],
  });
  session.handleConnectionOpened(0);
  assert.deepEqual(sent(session), [{
    type: "connect",
    clientId: "dev",
    cleanStart: true,
    keepAlive: 30,
    username: "u",
    password: bytes("p"),
    will,
    properties: {
      sessionExpiryInterval: 300,
      receiveMaximum: 10,
      maximumPacketSize: 4096,
      topicAliasMaximum: 8,
      requestProblemInformation: true,
      userProperties: [["k", "v"]],
    },
  }]);
  assert.equal(session.state, "connecting");
});

Deno.test("an MQTT 3.1.1 session sends no properties and refuses MQTT 5 options", () => {
  const session = new Session({ clientId: "a", protocolVersion: 4 });
  session.handleConnectionOpened(0);
  assert.equal((sent(session)[0] as { properties?: unknown }).properties, undefined);
  assert.throws(
    () => new Session({ protocolVersion: 4, sessionExpiryInterval: 10 }),
    { name: "TypeError", message: "Cannot create session: sessionExpiryInterval needs MQTT 5" },
  );
  assert.throws(() => new Session({ protocolVersion: 4, cleanStart: false }), TypeError);
  assert.throws(() => new Session({ receiveMaximum: 0 }), RangeError);
});

Deno.test("connectionsuccess reports the negotiated settings and the assigned client id", () => {
  const session = new Session({ clientId: "", keepAlive: 60 });
  session.handleConnectionOpened(0);
  sent(session);
  session.handlePacket({
    type: "connack",
    sessionPresent: false,
    reasonCode: 0,
    properties: {
      assignedClientIdentifier: "auto-1",
      receiveMaximum: 20,
      maximumQoS: 1,
      topicAliasMaximum: 10,
      serverKeepAlive: 15,
      retainAvailable: false,
      sharedSubscriptionAvailable: false,
    },
  }, 3);
  const [event] = events(session);
  assert.equal(event.type, "connectionsuccess");
  assert.deepEqual(event.type === "connectionsuccess" && event.settings, {
    protocolVersion: 5,
    clientId: "auto-1",
    rejoinedSession: false,
    maximumQoS: 1,
    sessionExpiryInterval: 0,
    keepAlive: 15,
    receiveMaximumToServer: 20,
    maximumPacketSizeToServer: 268_435_460,
    topicAliasMaximumToServer: 10,
    topicAliasMaximumToClient: 0,
    retainAvailable: false,
    wildcardSubscriptionsAvailable: true,
    subscriptionIdentifiersAvailable: true,
    sharedSubscriptionsAvailable: false,
    responseInformation: undefined,
  });
  assert.equal(session.clientId, "auto-1");
  assert.equal(session.state, "connected");
  // Server Keep Alive replaces ours [MQTT-3.2.2-21]: the first PINGREQ is due 15 s after CONNACK.
  assert.equal(session.pollTimeout(), 15_003);
});

Deno.test("a refusing CONNACK is a connectionfailure with the reason code, string, server reference and the CONNACK", () => {
  const session = new Session({ clientId: "c" });
  session.handleConnectionOpened(0);
  sent(session);
  const connack = {
    type: "connack",
    sessionPresent: false,
    reasonCode: 0x9c,
    properties: { reasonString: "go away", serverReference: "other:1883" },
  } as const;
  session.handlePacket(connack, 1);
  const [event] = events(session);
  assert.ok(event.type === "connectionfailure");
  assert.equal(event.connack, connack);
  const error = (event as { error: Error }).error as ConnectionRefusedError;
  assert.ok(error instanceof ConnectionRefusedError);
  assert.equal(error.reasonCode, 0x9c);
  assert.equal(error.reasonString, "go away");
  assert.equal(error.serverReference, "other:1883");
  assert.equal(error.message, "Cannot connect: the server refused with UseAnotherServer: go away");
  assert.deepEqual(sent(session), []);
  assert.equal(session.state, "disconnected");
});

Deno.test("an MQTT 3.1.1 CONNACK return code is named in the failure", () => {
  const session = new Session({ clientId: "c", protocolVersion: 4 });
  session.handleConnectionOpened(0);
  session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 5 }, 1);
  const [event] = events(session);
  assert.equal(
    (event as { error: Error }).error.message,
    "Cannot connect: the server refused with NotAuthorized",
  );
});

Deno.test("no CONNACK before the deadline is a connectionfailure with a TimeoutError", () => {
  const session = new Session({ clientId: "c", connackTimeoutMs: 500 });
  session.handleConnectionOpened(100);
  sent(session, 100);
  assert.equal(session.pollTimeout(), 600);
  session.handleTimeout(599);
  assert.deepEqual(events(session), []);
  session.handleTimeout(600);
  const [event] = events(session);
  assert.ok(event.type === "connectionfailure" && event.error instanceof TimeoutError);
  assert.equal(event.error.message, "Cannot connect: no CONNACK within 500 ms");
  assert.equal(session.pollTimeout(), undefined);
});

Deno.test("a packet other than CONNACK or AUTH before CONNACK closes with Protocol Error", () => {
  const session = new Session({ clientId: "c" });
  session.handleConnectionOpened(0);
  sent(session);
  session.handlePacket({ type: "pingresp" }, 1);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
  const [event] = events(session);
  assert.ok(event.type === "connectionfailure" && event.error instanceof ConnectionClosedError);
  assert.equal(event.error.reasonCode, 0x82);
});

Deno.test("a second CONNACK closes the connection with Protocol Error", () => {
  const session = connected();
  session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, 1);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
  const [event] = events(session);
  assert.equal(event.type, "disconnection");
  assert.equal(
    (event as { error: ConnectionClosedError }).error.message,
    "Connection closed: Unexpected second CONNACK on one connection (ProtocolError)",
  );
});

Deno.test("Session Present on a Clean Start connection is a protocol violation", () => {
  const session = new Session({ clientId: "c" });
  session.handleConnectionOpened(0);
  sent(session);
  session.handlePacket({ type: "connack", sessionPresent: true, reasonCode: 0 }, 1);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
  assert.equal(events(session)[0].type, "connectionfailure");
});

Deno.test("keep-alive sends PINGREQ after an idle interval and PINGRESP answers it", () => {
  const session = connected({ keepAlive: 10 });
  assert.equal(session.pollTimeout(), 10_000);
  session.publish({ topic: "t", payload: bytes("x") }, 4_000);
  sent(session, 4_000);
  events(session);
  // Sending resets the idle interval.
  assert.equal(session.pollTimeout(), 14_000);
  session.handleTimeout(13_999);
  assert.deepEqual(sent(session, 13_999), []);
  session.handleTimeout(14_000);
  assert.deepEqual(sent(session, 14_000), [{ type: "pingreq" }]);
  assert.equal(session.pollTimeout(), 19_000);
  session.handlePacket({ type: "pingresp" }, 14_010);
  assert.equal(session.pollTimeout(), 24_000);
  assert.equal(session.state, "connected");
});

Deno.test("a missing PINGRESP ends the connection without sending anything more", () => {
  const session = connected({ keepAlive: 10, pingTimeoutMs: 2_000 });
  session.handleTimeout(10_000);
  assert.deepEqual(sent(session, 10_000), [{ type: "pingreq" }]);
  session.handleTimeout(12_000);
  assert.deepEqual(sent(session, 12_000), []);
  const [event] = events(session);
  assert.ok(event.type === "disconnection");
  assert.equal(event.error.reasonCode, 0x8d);
  assert.equal(event.error.message, "Connection closed: no PINGRESP within 2000 ms");
});

Deno.test("an unsolicited PINGRESP is a protocol violation", () => {
  const session = connected();
  session.handlePacket({ type: "pingresp" }, 1);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
  assert.equal(events(session)[0].type, "disconnection");
});

Deno.test("MQTT 5 reconnections ask to resume the session; MQTT 3.1.1 keeps cleanStart", () => {
  const v5 = connected({ sessionExpiryInterval: 60 });
  v5.handleConnectionLost(1);
  v5.handleConnectionOpened(2);
  assert.equal((sent(v5, 2)[0] as { cleanStart: boolean }).cleanStart, false);
  const v4 = connected({ protocolVersion: 4 });
  v4.handleConnectionLost(1);
  v4.handleConnectionOpened(2);
  assert.equal((sent(v4, 2)[0] as { cleanStart: boolean }).cleanStart, true);
});

Deno.test("a server DISCONNECT is a disconnection carrying its reason, server reference and the DISCONNECT", () => {
  const session = connected();
  const disconnect = {
    type: "disconnect",
    reasonCode: 0x9d,
    properties: { reasonString: "moved", serverReference: "b2" },
  } as const;
  session.handlePacket(disconnect, 5);
  const [event] = events(session);
  assert.ok(event.type === "disconnection");
  assert.equal(event.disconnect, disconnect);
  assert.equal(event.error.reasonCode, 0x9d);
  assert.equal(event.error.serverReference, "b2");
  assert.equal(event.error.byServer, true);
  assert.equal(
    event.error.message,
    "Connection closed: the server sent DISCONNECT with ServerMoved: moved",
  );
  // Nothing is answered on a connection the server closed.
  session.handlePacket({
    type: "publish",
    topic: "t",
    payload: bytes(""),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 1,
  }, 6);
  assert.deepEqual(sent(session), []);
  assert.deepEqual(events(session), []);
});

Deno.test("a server DISCONNECT with a Session Expiry Interval is a protocol violation", () => {
  const session = connected();
  session.handlePacket({
    type: "disconnect",
    reasonCode: 0,
    properties: { sessionExpiryInterval: 1 },
  }, 1);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
});

Deno.test("disconnect() sends DISCONNECT with reason and properties, or a bare one in MQTT 3.1.1", () => {
  const v5 = connected({ sessionExpiryInterval: 30 });
  v5.disconnect({ reasonCode: 0x04, properties: { sessionExpiryInterval: 0 } }, 1);
  assert.deepEqual(sent(v5), [{
    type: "disconnect",
    reasonCode: 4,
    properties: { sessionExpiryInterval: 0 },
  }]);
  const [event] = events(v5);
  assert.ok(event.type === "disconnection" && event.error.reasonCode === 4);
  const v4 = connected({ protocolVersion: 4 });
  v4.disconnect({}, 1);
  assert.deepEqual(sent(v4), [{ type: "disconnect" }]);
  assert.throws(() => v4.disconnect({ reasonCode: 4 }, 2), TypeError);
  const noExpiry = connected();
  assert.throws(
    () => noExpiry.disconnect({ properties: { sessionExpiryInterval: 5 } }, 1),
    { message: "Cannot disconnect: sessionExpiryInterval cannot be set when CONNECT asked for 0" },
  );
});

Deno.test("enhanced authentication exchanges AUTH packets before CONNACK and on re-authentication", () => {
  const session = new Session({ clientId: "c", authenticationMethod: "SCRAM" });
  session.handleConnectionOpened(0, { authenticationData: bytes("first") });
  const [connect] = sent(session);
  assert.deepEqual((connect as { properties: unknown }).properties, {
    maximumPacketSize: DEFAULT_MAXIMUM_PACKET_SIZE,
    authenticationMethod: "SCRAM",
    authenticationData: bytes("first"),
  });
  const challenge = {
    type: "auth" as const,
    reasonCode: 0x18,
    properties: { authenticationMethod: "SCRAM", authenticationData: bytes("nonce") },
  };
  session.handlePacket(challenge, 1);
  assert.deepEqual(events(session), [{ type: "auth", packet: challenge }]);
  session.sendAuth({ reasonCode: 0x18, authenticationData: bytes("proof") }, 2);
  assert.deepEqual(sent(session), [{
    type: "auth",
    reasonCode: 0x18,
    properties: { authenticationMethod: "SCRAM", authenticationData: bytes("proof") },
  }]);
  session.handlePacket({
    type: "connack",
    sessionPresent: false,
    reasonCode: 0,
    properties: { authenticationMethod: "SCRAM" },
  }, 3);
  assert.equal(events(session)[0].type, "connectionsuccess");
  session.sendAuth({ reasonCode: 0x19, authenticationData: bytes("again") }, 4);
  assert.equal(sent(session)[0].type, "auth");
  const success = {
    type: "auth" as const,
    reasonCode: 0,
    properties: { authenticationMethod: "SCRAM" },
  };
  session.handlePacket(success, 5);
  assert.deepEqual(events(session), [{ type: "auth", packet: success }]);
  // A second success with no re-authentication running is not allowed.
  session.handlePacket(success, 6);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
});

Deno.test("AUTH naming another method, or AUTH when none was asked for, closes the connection", () => {
  const session = new Session({ clientId: "c", authenticationMethod: "SCRAM" });
  session.handleConnectionOpened(0);
  sent(session);
  session.handlePacket({
    type: "auth",
    reasonCode: 0x18,
    properties: { authenticationMethod: "OTHER" },
  }, 1);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x82 }]);
  const plain = connected();
  plain.handlePacket(
    { type: "auth", reasonCode: 0x18, properties: { authenticationMethod: "X" } },
    1,
  );
  assert.deepEqual(sent(plain), [{ type: "disconnect", reasonCode: 0x82 }]);
});

Deno.test("a decoder error closes the connection with the error's reason code", () => {
  const session = connected();
  session.handleProtocolError(new MalformedPacketError("Cannot decode PUBLISH: bad UTF-8"), 1);
  assert.deepEqual(sent(session), [{ type: "disconnect", reasonCode: 0x81 }]);
  const [event] = events(session);
  assert.ok(event.type === "disconnection");
  assert.equal(event.error.reasonCode, 0x81);
  assert.ok(event.error.cause instanceof MalformedPacketError);
});

Deno.test("a lost connection is a disconnection and drops unwritten packets", () => {
  const session = connected();
  session.handlePacket({
    type: "publish",
    topic: "t",
    payload: bytes(""),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 3,
  }, 1);
  events(session);
  session.handleConnectionLost(2, new Error("reset"));
  assert.deepEqual(sent(session), []);
  const [event] = events(session);
  assert.ok(event.type === "disconnection");
  assert.equal(event.error.message, "Connection closed: the connection was lost: reset");
  assert.equal(session.state, "disconnected");
  // A new connection starts from CONNECT again.
  openAndAccept(session);
  assert.equal(session.state, "connected");
});

Deno.test("CONNECT announces a 16 MiB maximum packet size unless told another", () => {
  const byDefault = new Session({ clientId: "c" });
  byDefault.handleConnectionOpened(0);
  const [first] = sent(byDefault);
  assert.equal(
    (first as { properties?: { maximumPacketSize?: number } }).properties?.maximumPacketSize,
    16 * 1024 * 1024,
  );
  const custom = new Session({ clientId: "c", maximumPacketSize: 1000 });
  custom.handleConnectionOpened(0);
  const [second] = sent(custom);
  assert.equal(
    (second as { properties?: { maximumPacketSize?: number } }).properties?.maximumPacketSize,
    1000,
  );
});
