import assert from "node:assert/strict";
import type { ConnackPacket } from "@tern/codec";
import { ConnectionClosedError, ConnectionRefusedError } from "./errors.ts";
import { acceptConnack, acceptDisconnect, buildConnect } from "./_handshake.ts";
import { resolveOptions } from "./_session_options.ts";

const first = { clientId: "c", everConnected: false };

Deno.test("buildConnect() sends MQTT 5 properties only when given, and the packet size limit always", () => {
  const connect = buildConnect(resolveOptions({ clientId: "c" }), first);
  assert.deepEqual(connect, {
    type: "connect",
    clientId: "c",
    cleanStart: true,
    keepAlive: 60,
    username: undefined,
    password: undefined,
    will: undefined,
    properties: { maximumPacketSize: 16 * 1024 * 1024 },
  });
  const v4 = buildConnect(
    resolveOptions({ clientId: "c", protocolVersion: 4, password: "p" }),
    first,
  );
  assert.equal(v4.properties, undefined);
  assert.deepEqual(v4.password, new TextEncoder().encode("p"));
});

Deno.test("buildConnect() asks to resume after a success in MQTT 5, and as sessionBehavior says", () => {
  const again = { clientId: "c", everConnected: true };
  assert.equal(buildConnect(resolveOptions({}), again).cleanStart, false);
  assert.equal(buildConnect(resolveOptions({ protocolVersion: 4 }), again).cleanStart, true);
  assert.equal(buildConnect(resolveOptions({ sessionBehavior: "clean" }), again).cleanStart, true);
  assert.equal(
    buildConnect(resolveOptions({ sessionBehavior: "rejoinAlways" }), first).cleanStart,
    false,
  );
});

Deno.test("buildConnect() carries the authenticator's initial data with the method", () => {
  const data = new Uint8Array([1]);
  const connect = buildConnect(resolveOptions({ authenticationMethod: "SCRAM" }), {
    ...first,
    authenticationData: data,
  });
  assert.equal(connect.properties?.authenticationMethod, "SCRAM");
  assert.equal(connect.properties?.authenticationData, data);
});

const connack = (fields: Partial<ConnackPacket> = {}): ConnackPacket => ({
  type: "connack",
  sessionPresent: false,
  reasonCode: 0,
  ...fields,
});

Deno.test("acceptConnack() caps the server's Receive Maximum by maximumInflight", () => {
  const options = resolveOptions({ maximumInflight: 5 });
  const connect = buildConnect(options, first);
  const outcome = acceptConnack(connack({ properties: { receiveMaximum: 10 } }), connect, options);
  assert.ok("settings" in outcome);
  assert.equal(outcome.settings.receiveMaximumToServer, 5);
  const v4 = resolveOptions({ protocolVersion: 4 });
  const v4Outcome = acceptConnack(connack(), buildConnect(v4, first), v4);
  assert.ok("settings" in v4Outcome && v4Outcome.settings.receiveMaximumToServer === 20);
});

Deno.test("acceptConnack() names a refusal, and a refusal with Session Present is a violation", () => {
  const options = resolveOptions({});
  const connect = buildConnect(options, first);
  const refused = acceptConnack(
    connack({ reasonCode: 0x87, properties: { reasonString: "no" } }),
    connect,
    options,
  );
  assert.ok("refused" in refused && refused.refused instanceof ConnectionRefusedError);
  assert.equal(
    refused.refused.message,
    "Cannot connect: the server refused with NotAuthorized: no",
  );
  const v4 = resolveOptions({ protocolVersion: 4 });
  const v4Refused = acceptConnack(connack({ reasonCode: 5 }), buildConnect(v4, first), v4);
  assert.ok("refused" in v4Refused);
  assert.match(v4Refused.refused.message, /refused with NotAuthorized$/);
  assert.deepEqual(
    acceptConnack(connack({ reasonCode: 0x87, sessionPresent: true }), connect, options),
    { violation: "CONNACK refused the connection but set Session Present" },
  );
});

Deno.test("acceptConnack() finds the protocol errors of an accepting CONNACK", () => {
  const options = resolveOptions({});
  const connect = buildConnect(options, first);
  assert.deepEqual(acceptConnack(connack({ sessionPresent: true }), connect, options), {
    violation: "CONNACK set Session Present although Clean Start was requested",
  });
  assert.deepEqual(
    acceptConnack(connack({ properties: { receiveMaximum: 0 } }), connect, options),
    { violation: "CONNACK has a Receive Maximum or Maximum Packet Size of 0" },
  );
  assert.deepEqual(
    acceptConnack(connack({ properties: { authenticationMethod: "X" } }), connect, options),
    { violation: "CONNACK names an authentication method the client did not ask for" },
  );
});

Deno.test("acceptDisconnect() reports the server's reason, and rejects what a server must not send", () => {
  const error = acceptDisconnect(
    { type: "disconnect", reasonCode: 0x8b, properties: { reasonString: "bye" } },
    5,
  );
  assert.ok(error instanceof ConnectionClosedError);
  assert.equal(
    error.message,
    "Connection closed: the server sent DISCONNECT with ServerShuttingDown: bye",
  );
  assert.equal(error.byServer, true);
  assert.equal(
    acceptDisconnect({ type: "disconnect" }, 4),
    "Unexpected DISCONNECT: an MQTT 3.1.1 server never sends it",
  );
  assert.equal(
    acceptDisconnect({ type: "disconnect", properties: { sessionExpiryInterval: 1 } }, 5),
    "Server DISCONNECT carries a Session Expiry Interval",
  );
});
