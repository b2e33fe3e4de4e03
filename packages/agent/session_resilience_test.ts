import assert from "node:assert/strict";
import type { PublishPacket, SubscribePacket } from "@tern/codec";
import { MemoryStore } from "./memory_store.ts";
import { Session } from "./session.ts";
import { MessageExpiredError, OfflineError, QueueFullError } from "./offline_queue.ts";
import { bytes, connected, events, openAndAccept, sent } from "./testdata/session_fixture.ts";

const msg = (topic: string, qos: 0 | 1 | 2) => ({ topic, payload: bytes("x"), qos });

Deno.test("losing the connection fails unsent operations the offline queue policy does not keep", () => {
  const session = connected({ offlineQueuePolicy: "failNonQos1PublishOnDisconnect" });
  const qos0 = session.publish(msg("t", 0), 1);
  session.publish(msg("t", 2), 1);
  const sub = session.subscribe({ subscriptions: [{ topicFilter: "a", qos: 1 }] }, 1);
  session.handleConnectionLost(2, new Error("reset"));
  const failed = events(session).filter((e) => e.type === "failed");
  assert.deepEqual(failed.map((e) => e.type === "failed" && e.operation), [qos0, sub]);
  assert.ok(failed.every((e) => e.type === "failed" && e.error instanceof OfflineError));
  openAndAccept(session, { sessionPresent: true }, 3);
  const out = sent(session, 3);
  assert.deepEqual(out.map((p) => p.type === "publish" && p.qos), [2]);
});

Deno.test("an operation the policy does not keep throws OfflineError while disconnected", () => {
  const session = new Session({ clientId: "c", offlineQueuePolicy: "failAllOnDisconnect" });
  assert.throws(() => session.publish(msg("t", 1), 0), OfflineError);
  assert.throws(
    () => session.subscribe({ subscriptions: [{ topicFilter: "a", qos: 0 }] }, 0),
    /policy failAllOnDisconnect does not keep it/,
  );
});

Deno.test("the queue limits throw QueueFullError, connected or not", () => {
  const session = connected({ maxQueuedOperations: 2, maxQueuedBytes: 100 });
  session.publish(msg("t", 0), 0);
  session.publish(msg("t", 0), 0);
  assert.throws(() => session.publish(msg("t", 0), 0), QueueFullError);
  sent(session);
  assert.throws(
    () => session.publish({ topic: "t", payload: new Uint8Array(200), qos: 1 }, 0),
    /the offline queue is full \(0 bytes queued, 201 more would pass the limit of 100\)/,
  );
});

Deno.test("a lost session gets every active subscription back before anything else is sent", () => {
  const session = connected({ sessionExpiryInterval: 60 });
  session.subscribe(
    { subscriptions: [{ topicFilter: "a", qos: 1 }, { topicFilter: "b", qos: 2 }] },
    0,
  );
  session.subscribe({
    subscriptions: [{ topicFilter: "c", qos: 0 }],
    properties: { subscriptionIdentifier: 7 },
  }, 0);
  session.subscribe({ subscriptions: [{ topicFilter: "refused", qos: 0 }] }, 0);
  session.unsubscribe({ topicFilters: ["b"] }, 0);
  sent(session);
  session.handlePacket({ type: "suback", packetId: 1, reasonCodes: [1, 2] }, 1);
  session.handlePacket({ type: "suback", packetId: 2, reasonCodes: [0] }, 1);
  session.handlePacket({ type: "suback", packetId: 3, reasonCodes: [0x87] }, 1);
  session.handlePacket({ type: "unsuback", packetId: 4, reasonCodes: [0] }, 1);
  session.publish(msg("t", 1), 1);
  session.handleConnectionLost(2);
  events(session);
  openAndAccept(session, { sessionPresent: false }, 3);
  const out = sent(session, 3);
  const subscribes = out.filter((p): p is SubscribePacket => p.type === "subscribe");
  assert.deepEqual(
    subscribes.map((p) => [p.subscriptions.map((s) => s.topicFilter), p.properties]),
    [[["a"], undefined], [["c"], { subscriptionIdentifier: 7 }]],
  );
  assert.deepEqual(out.map((p) => p.type), ["subscribe", "subscribe", "publish"]);
  // Restoring is silent: no caller waits for those SUBACKs.
  session.handlePacket({ type: "suback", packetId: subscribes[0].packetId, reasonCodes: [1] }, 4);
  assert.deepEqual(events(session), []);
});

Deno.test("a present session restores nothing, and resubscribe: false turns restoring off", () => {
  for (const [resubscribe, sessionPresent] of [[true, true], [false, false]] as const) {
    const session = connected({ sessionExpiryInterval: 60, resubscribe });
    session.subscribe({ subscriptions: [{ topicFilter: "a", qos: 1 }] }, 0);
    sent(session);
    session.handlePacket({ type: "suback", packetId: 1, reasonCodes: [1] }, 1);
    session.handleConnectionLost(2);
    openAndAccept(session, { sessionPresent }, 3);
    assert.deepEqual(sent(session, 3), []);
  }
});

Deno.test("forgetSubscriptions() leaves nothing to restore, not even restores already queued", () => {
  const session = connected({ sessionExpiryInterval: 60 });
  session.subscribe({ subscriptions: [{ topicFilter: "a", qos: 1 }] }, 0);
  sent(session);
  session.handlePacket({ type: "suback", packetId: 1, reasonCodes: [1] }, 1);
  session.handleConnectionLost(2);
  openAndAccept(session, { sessionPresent: false }, 3);
  // The restore SUBSCRIBE is queued now; the connection drops before it leaves.
  session.handleConnectionLost(4);
  session.forgetSubscriptions();
  session.publish(msg("t", 1), 5);
  openAndAccept(session, { sessionPresent: false }, 6);
  assert.deepEqual(sent(session, 6).map((p) => p.type), ["publish"]);
});

Deno.test("a publish restored from the store and sent again as new leaves no queued size behind", () => {
  const store = new MemoryStore();
  const before = connected({ store, packetSize: () => 10 });
  before.publish(msg("t", 1), 0);
  sent(before);
  const session = new Session({ clientId: "c", store, packetSize: () => 10, cleanStart: false });
  openAndAccept(session, { sessionPresent: false });
  assert.equal(sent(session).length, 1);
  // No caller waits for it: no operation's count, and (issue #13) no operation's size.
  assert.deepEqual(session.stats(), {
    incompleteOperationCount: 0,
    incompleteOperationSize: 0,
    unackedOperationCount: 0,
    unackedOperationSize: 0,
  });
});

/** Clean Start of the first and of the second CONNECT under `options`. */
function cleanStarts(options: ConstructorParameters<typeof Session>[0]): boolean[] {
  const session = new Session({ clientId: "c", ...options });
  const flags: boolean[] = [];
  for (const now of [0, 10]) {
    session.handleConnectionOpened(now);
    const [connect] = sent(session, now);
    flags.push(connect.type === "connect" && connect.cleanStart);
    session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, now);
    session.handleConnectionLost(now + 1);
    events(session);
  }
  return flags;
}

Deno.test("sessionBehavior decides Clean Start of every connection", () => {
  assert.deepEqual(cleanStarts({ sessionBehavior: "clean" }), [true, true]);
  assert.deepEqual(cleanStarts({ sessionBehavior: "rejoinPostSuccess" }), [true, false]);
  assert.deepEqual(cleanStarts({ sessionBehavior: "rejoinAlways" }), [false, false]);
  assert.deepEqual(cleanStarts({ protocolVersion: 4, sessionBehavior: "rejoinPostSuccess" }), [
    true,
    false,
  ]);
  // Without it, cleanStart decides the first and MQTT 5 rejoins afterwards.
  assert.deepEqual(cleanStarts({}), [true, false]);
  assert.deepEqual(cleanStarts({ protocolVersion: 4 }), [true, true]);
});

Deno.test("sessionBehavior is checked like cleanStart", () => {
  assert.throws(
    () => new Session({ sessionBehavior: "sometimes" as "clean" }),
    /sessionBehavior must be "clean", "rejoinPostSuccess" or "rejoinAlways", got sometimes/,
  );
  assert.throws(
    () => new Session({ protocolVersion: 4, clientId: "", sessionBehavior: "rejoinAlways" }),
    /an empty clientId needs cleanStart true in MQTT 3.1.1/,
  );
});

Deno.test("updated connect options go into the next CONNECT and null removes a field", () => {
  const session = new Session({
    clientId: "c",
    username: "user",
    password: "old",
    will: { topic: "status", payload: bytes("gone"), qos: 1, retain: false },
  });
  session.updateConnectOptions({ password: bytes("new"), will: null });
  session.handleConnectionOpened(0);
  const connect = sent(session, 0)[0];
  assert.ok(connect.type === "connect");
  assert.equal(connect.username, "user");
  assert.deepEqual(connect.password, bytes("new"));
  assert.equal(connect.will, undefined);
});

Deno.test("a bad connect options update throws and changes nothing", () => {
  const session = new Session({ clientId: "c", protocolVersion: 4, username: "user" });
  assert.throws(
    () => session.updateConnectOptions({ username: "other", userProperties: [["a", "b"]] }),
    /Cannot update connect options: userProperties needs MQTT 5/,
  );
  assert.throws(
    () =>
      session.updateConnectOptions({
        will: { topic: "a/+", payload: bytes(""), qos: 0, retain: false },
      }),
    /Cannot update connect options/,
  );
  session.handleConnectionOpened(0);
  const connect = sent(session, 0)[0];
  assert.ok(connect.type === "connect");
  assert.equal(connect.username, "user");
});

/** A session that gets its CONNACK at `now`, with `publishes` queued before. */
function connectAt(now: number, publish: (session: Session) => void): Session {
  const session = new Session({ clientId: "c" });
  publish(session);
  session.handleConnectionOpened(now);
  sent(session, now);
  session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, now);
  assert.deepEqual(events(session).map((event) => event.type), ["connectionsuccess"]);
  return session;
}

Deno.test("a queued publish leaves with its Message Expiry Interval less the whole seconds it waited", () => {
  const session = connectAt(5_900, (s) => {
    s.publish({ ...msg("t", 1), properties: { messageExpiryInterval: 10 } }, 1_000);
    s.publish({ ...msg("u", 1), properties: { contentType: "text/plain" } }, 1_000);
  });
  const [first, second] = sent(session, 5_900) as PublishPacket[];
  // Queued at 1.0 s, sent at 5.9 s: four whole seconds are taken off.
  assert.equal(first.properties?.messageExpiryInterval, 6);
  assert.deepEqual(second.properties, { contentType: "text/plain" });
  assert.deepEqual(events(session), []);
});

Deno.test("a queued publish whose Message Expiry Interval ran out fails with MessageExpiredError, unsent", () => {
  const session = connectAt(3_000, (s) => {
    s.publish({ ...msg("t", 1), properties: { messageExpiryInterval: 3 } }, 0);
    s.publish(msg("u", 1), 0);
  });
  const packets = sent(session, 3_000) as PublishPacket[];
  assert.deepEqual(packets.map((p) => p.topic), ["u"]);
  const [failed] = events(session);
  assert.equal(failed.type, "failed");
  const error = failed.type === "failed" ? failed.error : undefined;
  assert.ok(error instanceof MessageExpiredError);
  assert.equal(error.waitedSeconds, 3);
  assert.equal(error.messageExpiryInterval, 3);
  assert.match(error.message, /Cannot publish to "t": the message expired after waiting 3 s/);
  // Its packet id was never taken: the next publish gets the first one.
  assert.equal(packets[0].packetId, 1);
});

Deno.test("a publish sent at once keeps its Message Expiry Interval as given", () => {
  const session = connectAt(0, () => {});
  session.publish({ ...msg("t", 1), properties: { messageExpiryInterval: 60 } }, 500);
  const [packet] = sent(session, 900) as PublishPacket[];
  assert.equal(packet.properties?.messageExpiryInterval, 60);
});
