import assert from "node:assert/strict";
import type { PublishPacket } from "@tern/codec";
import { Session } from "./session.ts";
import type { SessionStats } from "./session_types.ts";
import {
  bytes,
  connected,
  events,
  openAndAccept,
  sent,
  transmits,
} from "./testdata/session_fixture.ts";

const msg = (qos: 0 | 1 | 2, payload = bytes("original")) => ({ topic: "t", payload, qos });
const text = (packet: unknown) => new TextDecoder().decode((packet as PublishPacket).payload);
const ZERO: SessionStats = {
  incompleteOperationCount: 0,
  incompleteOperationSize: 0,
  unackedOperationCount: 0,
  unackedOperationSize: 0,
};

Deno.test("a QoS 1 / 2 publish sends, and resends, the bytes its payload held when publish() was called", () => {
  const session = connected({ sessionExpiryInterval: 60 });
  const payload = bytes("original");
  session.publish(msg(1, payload), 0);
  payload.set(bytes("CHANGED!"));
  const [first] = sent(session);
  assert.equal(text(first), "original");
  session.handleConnectionLost(1);
  openAndAccept(session, { sessionPresent: true }, 2);
  assert.equal(text(sent(session, 2)[0]), "original");
});

Deno.test("a queued QoS 0 publish keeps its own copy after ownPayload(); one polled at once is not copied", () => {
  const session = connected();
  const queued = bytes("original");
  const id = session.publish(msg(0, queued), 0);
  session.ownPayload(id);
  queued.set(bytes("CHANGED!"));
  assert.equal(text(sent(session)[0]), "original");
  const immediate = bytes("x");
  session.publish(msg(0, immediate), 1);
  assert.equal((sent(session, 1)[0] as PublishPacket).payload, immediate);
});

Deno.test("stats() is back to zero after every way an operation can end", () => {
  const session = connected({ ackTimeoutMs: 100, protocolVersion: 4, clientId: "c" });
  // Acknowledged with a failure reason code (MQTT 5 only) is covered below; here: timeout.
  session.publish(msg(1), 0);
  sent(session);
  session.handleTimeout(100);
  assert.ok(events(session).some((e) => e.type === "failed"));
  assert.deepEqual(session.stats(), ZERO, "after an acknowledgement timeout");
  // The timed-out flow is sent again as new on a clean reconnect: still no operation.
  session.handleConnectionLost(101);
  openAndAccept(session, { sessionPresent: false }, 102);
  assert.equal(sent(session, 102).length, 1);
  assert.deepEqual(session.stats(), ZERO, "after the timed-out publish was sent again");
  // Cancelled while queued, and while in flight.
  const queued = session.publish(msg(1), 103);
  session.cancel(queued);
  assert.deepEqual(session.stats(), ZERO, "after cancelling a queued publish");
  const flying = session.publish(msg(1), 104);
  sent(session, 104);
  session.cancel(flying);
  assert.deepEqual(session.stats(), ZERO, "after cancelling a publish in flight");
  // Abandoned (stop()).
  session.publish(msg(2), 105);
  session.subscribe({ subscriptions: [{ topicFilter: "a", qos: 1 }] }, 105);
  sent(session, 105);
  session.publish(msg(1), 106);
  session.abandonOperations();
  assert.deepEqual(session.stats(), ZERO, "after abandoning everything");
  // A QoS 0 publish failed by a lost connection (offline queue policy).
  session.publish(msg(0), 107);
  session.handleConnectionLost(108);
  assert.ok(events(session).some((e) => e.type === "failed"));
  assert.deepEqual(session.stats(), ZERO, "after a lost connection failed a QoS 0 publish");
});

Deno.test("stats() is back to zero after a failure reason code and after a refused publish", () => {
  const session = connected({}, { properties: { maximumPacketSize: 64 } });
  session.publish(msg(1), 0);
  sent(session);
  session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0x87 }, 1);
  assert.ok(events(session).some((e) => e.type === "failed"));
  assert.deepEqual(session.stats(), ZERO, "after PUBACK 0x87");
  session.publish(msg(1, new Uint8Array(100)), 2);
  assert.deepEqual(sent(session, 2), []);
  assert.ok(events(session).some((e) => e.type === "failed"));
  assert.deepEqual(session.stats(), ZERO, "after a publish too large for the server");
});

Deno.test("a publish the server closes the connection right after, 3 connections in a row, fails and leaves the session", () => {
  const session = connected({ protocolVersion: 4, clientId: "c" });
  const op = session.publish(msg(1, new Uint8Array(5000)), 0);
  for (let round = 1; round <= 3; round++) {
    assert.deepEqual(transmits(session, round).map((t) => t.operation), [op]);
    session.handleConnectionLost(round);
    const failures = events(session).filter((e) => e.type === "failed");
    assert.equal(failures.length, round < 3 ? 0 : 1);
    if (round === 3) {
      const [failure] = failures;
      assert.ok(failure.type === "failed" && failure.operation === op);
      assert.match(
        failure.error.message,
        /Cannot publish to "t": the server closed the connection right after receiving it, 3 connections in a row/,
      );
    }
    openAndAccept(session, { sessionPresent: false }, round);
  }
  // Gone from the session: the connection no longer carries it.
  assert.deepEqual(sent(session, 4), []);
  assert.deepEqual(session.stats(), ZERO);
});

Deno.test("the close count follows one packet: a different suspect, or resuming a session, counts on", () => {
  const session = connected({ sessionExpiryInterval: 60, resendCloseLimit: 2 });
  const a = session.publish(msg(1, bytes("a")), 0);
  sent(session);
  session.handleConnectionLost(1);
  // Resumed: resent with DUP; it is the suspect again.
  openAndAccept(session, { sessionPresent: true }, 2);
  assert.equal(sent(session, 2).length, 1);
  session.handleConnectionLost(3);
  const failed = events(session).filter((e) => e.type === "failed");
  assert.ok(failed.length === 1 && failed[0].type === "failed" && failed[0].operation === a);
  // An acknowledged packet clears suspicion: b closes once, is acknowledged, closes once more.
  openAndAccept(session, { sessionPresent: true }, 4);
  const b = session.publish(msg(1, bytes("b")), 4);
  assert.equal(sent(session, 4).length, 1);
  session.handleConnectionLost(5);
  openAndAccept(session, { sessionPresent: true }, 6);
  const [resent] = sent(session, 6) as PublishPacket[];
  session.handlePacket({ type: "puback", packetId: resent.packetId!, reasonCode: 0 }, 7);
  assert.ok(events(session).some((e) => e.type === "completed" && e.operation === b));
  session.publish(msg(1, bytes("c")), 8);
  sent(session, 8);
  session.handleConnectionLost(9);
  assert.deepEqual(events(session).filter((e) => e.type === "failed"), []);
});

Deno.test("resendCloseLimit 0 resends forever", () => {
  const session = connected({ protocolVersion: 4, clientId: "c", resendCloseLimit: 0 });
  session.publish(msg(1), 0);
  for (let round = 1; round <= 5; round++) {
    assert.equal(sent(session, round).length, 1);
    session.handleConnectionLost(round);
    assert.deepEqual(events(session).filter((e) => e.type === "failed"), []);
    openAndAccept(session, { sessionPresent: false }, round);
  }
  assert.throws(() => new Session({ resendCloseLimit: -1 }), RangeError);
});
