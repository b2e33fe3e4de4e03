import assert from "node:assert/strict";
import { ConnectionClosedError, TimeoutError } from "./errors.ts";
import { Session } from "./session.ts";
import { bytes, connected, events, transmits } from "./testdata/session_fixture.ts";

Deno.test("ping() sends PINGREQ ahead of queued commands and completes with the round trip from the write", () => {
  const session = connected({ keepAlive: 60 });
  session.publish({ topic: "t", payload: bytes("x"), qos: 1 }, 5);
  const id = session.ping(10);
  const out = transmits(session, 12);
  assert.deepEqual(out.map((t) => t.packet.type), ["pingreq", "publish"]);
  assert.equal(out[0].operation, id);
  assert.deepEqual(events(session), []);
  session.handlePacket({ type: "pingresp" }, 40);
  assert.deepEqual(events(session), [
    { type: "completed", operation: id, result: { roundTripMs: 28 } },
  ]);
  assert.equal(session.state, "connected");
});

Deno.test("ping() while a keep-alive PINGREQ is outstanding waits for its PINGRESP without sending another", () => {
  const session = connected({ keepAlive: 10 });
  session.handleTimeout(10_000);
  assert.deepEqual(transmits(session, 10_000).map((t) => t.packet.type), ["pingreq"]);
  const first = session.ping(10_001);
  const second = session.ping(10_002);
  assert.deepEqual(transmits(session, 10_002), []);
  session.handlePacket({ type: "pingresp" }, 10_050);
  assert.deepEqual(events(session), [
    { type: "completed", operation: first, result: { roundTripMs: 50 } },
    { type: "completed", operation: second, result: { roundTripMs: 50 } },
  ]);
});

Deno.test("a ping without PINGRESP within pingTimeoutMs fails with TimeoutError and closes the connection", () => {
  const session = connected({ keepAlive: 60, pingTimeoutMs: 2_000 });
  const id = session.ping(100);
  transmits(session, 100);
  assert.equal(session.pollTimeout(), 2_100);
  session.handleTimeout(2_100);
  const [failed, closed] = events(session);
  assert.ok(failed.type === "failed" && failed.operation === id);
  assert.ok(failed.error instanceof TimeoutError);
  assert.equal(failed.error.message, "Cannot ping: no PINGRESP within 2000 ms");
  assert.ok(closed.type === "disconnection" && closed.error.reasonCode === 0x8d);
});

Deno.test("a ping fails with ConnectionClosedError when the connection is lost, and throws when not connected", () => {
  const session = connected();
  const id = session.ping(1);
  transmits(session, 1);
  session.handleConnectionLost(2, new Error("reset"));
  const [failed] = events(session);
  assert.ok(failed.type === "failed" && failed.operation === id);
  assert.ok(failed.error instanceof ConnectionClosedError);
  assert.equal(failed.error.message, "Cannot ping: the connection closed before PINGRESP");
  assert.throws(() => session.ping(3), {
    name: "ConnectionClosedError",
    message: "Cannot ping: the client is not connected",
  });
  assert.throws(() => new Session().ping(0), ConnectionClosedError);
});

Deno.test("a cancelled ping reports nothing, and its PINGRESP is still expected", () => {
  const session = connected();
  const id = session.ping(1);
  assert.equal(session.cancel(id), true);
  assert.equal(session.cancel(id), false);
  transmits(session, 1);
  session.handlePacket({ type: "pingresp" }, 5);
  assert.deepEqual(events(session), []);
  assert.equal(session.state, "connected");
});

Deno.test("without keep-alive a ping still waits pingTimeoutMs' default of 30 s for its PINGRESP", () => {
  const session = connected({ keepAlive: 0 });
  session.ping(100);
  transmits(session, 100);
  assert.equal(session.pollTimeout(), 30_100);
  session.handleTimeout(30_099);
  assert.deepEqual(events(session), []);
  session.handlePacket({ type: "pingresp" }, 30_099);
  assert.deepEqual(events(session).map((e) => e.type), ["completed"]);
});
