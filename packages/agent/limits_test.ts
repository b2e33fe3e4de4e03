import assert from "node:assert/strict";
import { BrokerLimitError, type BrokerLimits, createLimiter } from "./limits.ts";

const profile: BrokerLimits = {
  name: "Test broker",
  maxClientIdBytes: 8,
  maxTopicBytes: 16,
  maxTopicSlashes: 2,
  countedTopic: (topic) => topic.replace(/^\$ingest\/[^/]+(\/|$)/, ""),
  maxSubscriptionsPerSubscribe: 3,
  maxPayloadBytes: 100,
  maximumQoS: 1,
};

function assertLimit(fn: () => void, limit: string, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof BrokerLimitError);
    assert.ok(error instanceof RangeError);
    assert.equal(error.limit, limit);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("checkConnect() refuses a client id longer than maxClientIdBytes, counting UTF-8 bytes", () => {
  const limiter = createLimiter(profile);
  limiter.checkConnect({ clientId: "12345678" });
  // Four characters but nine bytes: the limit is in bytes.
  assertLimit(
    () => limiter.checkConnect({ clientId: "ééé€" }),
    "maxClientIdBytes",
    "Cannot connect: client id is 9 bytes, over the Test broker limit maxClientIdBytes of 8",
  );
});

Deno.test("checkConnect() checks the will message like a publish", () => {
  const limiter = createLimiter(profile);
  limiter.checkConnect({ clientId: "c", will: { topic: "a/b", payloadBytes: 100, qos: 1 } });
  assertLimit(
    () => limiter.checkConnect({ clientId: "c", will: { topic: "a/b", payloadBytes: 1, qos: 2 } }),
    "maximumQoS",
    "Cannot connect: QoS 2 requested, over the Test broker limit maximumQoS of 1",
  );
  assertLimit(
    () =>
      limiter.checkConnect({ clientId: "c", will: { topic: "a/b/c/d", payloadBytes: 1, qos: 0 } }),
    "maxTopicSlashes",
    'Cannot connect: will topic "a/b/c/d" counts 3 slashes, over the Test broker limit maxTopicSlashes of 2',
  );
});

Deno.test("checkPublish() accepts a publish exactly at every limit", () => {
  const limiter = createLimiter(profile);
  limiter.checkPublish({ topic: "0123456/89abcdef", payloadBytes: 100, qos: 1 });
});

Deno.test("checkPublish() names the limit a topic, payload or QoS breaks", () => {
  const limiter = createLimiter(profile);
  assertLimit(
    () => limiter.checkPublish({ topic: "0123456789abcdefg", payloadBytes: 0, qos: 0 }),
    "maxTopicBytes",
    'Cannot publish: topic "0123456789abcdefg" counts 17 bytes, over the Test broker limit maxTopicBytes of 16',
  );
  assertLimit(
    () => limiter.checkPublish({ topic: "a/b/c/d", payloadBytes: 0, qos: 0 }),
    "maxTopicSlashes",
    'Cannot publish: topic "a/b/c/d" counts 3 slashes, over the Test broker limit maxTopicSlashes of 2',
  );
  assertLimit(
    () => limiter.checkPublish({ topic: "a", payloadBytes: 101, qos: 0 }),
    "maxPayloadBytes",
    "Cannot publish: payload is 101 bytes, over the Test broker limit maxPayloadBytes of 100",
  );
  assertLimit(
    () => limiter.checkPublish({ topic: "a", payloadBytes: 0, qos: 2 }),
    "maximumQoS",
    "Cannot publish: QoS 2 requested, over the Test broker limit maximumQoS of 1",
  );
});

Deno.test("checkPublish() counts only the part of the topic that countedTopic returns", () => {
  const limiter = createLimiter(profile);
  // Without the exemption this topic has 4 slashes and 26 bytes.
  limiter.checkPublish({ topic: "$ingest/my-rule/a/b/cdefghij", payloadBytes: 0, qos: 0 });
  limiter.checkPublish({ topic: "$ingest/my-rule", payloadBytes: 0, qos: 0 });
  assertLimit(
    () => limiter.checkPublish({ topic: "$ingest/rule/a/b/c/d", payloadBytes: 0, qos: 0 }),
    "maxTopicSlashes",
    'Cannot publish: topic "$ingest/rule/a/b/c/d" counts 3 slashes, over the Test broker limit maxTopicSlashes of 2',
  );
});

Deno.test("checkSubscribe() and checkUnsubscribe() check every filter, and subscribe checks QoS", () => {
  const limiter = createLimiter(profile);
  limiter.checkSubscribe([{ topicFilter: "a/+/#", qos: 1 }, { topicFilter: "b", qos: 0 }]);
  assertLimit(
    () => limiter.checkSubscribe([{ topicFilter: "a", qos: 0 }, { topicFilter: "b", qos: 2 }]),
    "maximumQoS",
    "Cannot subscribe: QoS 2 requested, over the Test broker limit maximumQoS of 1",
  );
  assertLimit(
    () => limiter.checkSubscribe([{ topicFilter: "a/+/+/#", qos: 0 }]),
    "maxTopicSlashes",
    'Cannot subscribe: topic filter "a/+/+/#" counts 3 slashes, over the Test broker limit maxTopicSlashes of 2',
  );
  assertLimit(
    () => limiter.checkUnsubscribe(["ok", "x".repeat(17)]),
    "maxTopicBytes",
    `Cannot unsubscribe: topic filter "${
      "x".repeat(17)
    }" counts 17 bytes, over the Test broker limit maxTopicBytes of 16`,
  );
});

Deno.test("error messages leave out the profile name when it has none", () => {
  const limiter = createLimiter({ maxPayloadBytes: 1 });
  assertLimit(
    () => limiter.checkPublish({ topic: "a", payloadBytes: 2, qos: 0 }),
    "maxPayloadBytes",
    "Cannot publish: payload is 2 bytes, over the limit maxPayloadBytes of 1",
  );
});

Deno.test("a profile without limits accepts anything", () => {
  const limiter = createLimiter({});
  limiter.checkConnect({ clientId: "x".repeat(1000) });
  limiter.checkPublish({ topic: "/".repeat(1000), payloadBytes: 1e9, qos: 2 });
  assert.deepEqual(limiter.splitSubscribe([1, 2, 3, 4, 5]), [[1, 2, 3, 4, 5]]);
  assert.equal(limiter.reserve(5, 1e9), 5);
  assert.equal(limiter.reserve(5, 1e9), 5);
});

Deno.test("splitSubscribe() batches subscriptions in order, at most maxSubscriptionsPerSubscribe each", () => {
  const limiter = createLimiter(profile);
  const subscriptions = ["a", "b", "c", "d", "e", "f", "g"].map((topicFilter) => ({
    topicFilter,
    qos: 0 as const,
  }));
  const batches = limiter.splitSubscribe(subscriptions);
  assert.deepEqual(batches.map((batch) => batch.map((s) => s.topicFilter)), [
    ["a", "b", "c"],
    ["d", "e", "f"],
    ["g"],
  ]);
  assert.deepEqual(limiter.splitSubscribe(subscriptions.slice(0, 3)), [subscriptions.slice(0, 3)]);
  assert.deepEqual(limiter.splitSubscribe([]), []);
});

Deno.test("reserve() lets a full burst of publishes through, then spaces them at the rate", () => {
  const limiter = createLimiter({ publishesPerSecond: 4 });
  const times = Array.from({ length: 7 }, () => limiter.reserve(1000, 10));
  assert.deepEqual(times, [1000, 1000, 1000, 1000, 1250, 1500, 1750]);
  // Idle for long enough and the bucket is full again, but never more than full.
  const later = Array.from({ length: 5 }, () => limiter.reserve(10_000, 10));
  assert.deepEqual(later, [10_000, 10_000, 10_000, 10_000, 10_250]);
});

Deno.test("reserve() never grants more than publishesPerSecond in any one-second window", () => {
  const limiter = createLimiter({ publishesPerSecond: 100 });
  const times: number[] = [];
  // 1000 publishes requested as fast as a busy client might: 1 ms apart.
  for (let i = 0; i < 1000; i++) times.push(limiter.reserve(i, 50));
  for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1]);
  for (let i = 0; i + 200 < times.length; i++) {
    // Burst of 100 plus 100 more per second: any 200 consecutive sends span at least 1 s.
    assert.ok(times[i + 200] - times[i] >= 1000, `window at ${i}: ${times[i + 200] - times[i]}`);
  }
  assert.ok(Math.abs(times[999] - 9000) < 1e-6, `last send at ${times[999]}`);
});

Deno.test("reserve() throttles by bytes per second independently of the publish count", () => {
  const limiter = createLimiter({ publishesPerSecond: 100, bytesPerSecond: 1000 });
  assert.equal(limiter.reserve(0, 1000), 0);
  // The byte bucket is empty: 500 bytes take 500 ms to earn, though publishes are plentiful.
  assert.equal(limiter.reserve(0, 500), 500);
  assert.equal(limiter.reserve(600, 100), 600);
  assert.equal(limiter.reserve(600, 400), 1000);
});

Deno.test("reserve() waits for the slower of the two buckets and charges both at that time", () => {
  const limiter = createLimiter({ publishesPerSecond: 2, bytesPerSecond: 100 });
  assert.equal(limiter.reserve(0, 100), 0);
  // Bytes are ready at 1000 ms; the publish bucket still holds one token.
  assert.equal(limiter.reserve(0, 100), 1000);
  // Both buckets were charged at 1000 ms: one publish token left, no bytes.
  assert.equal(limiter.reserve(1000, 0), 1000);
  assert.equal(limiter.reserve(1000, 0), 1500);
});

Deno.test("reserve() lets one packet larger than bytesPerSecond through once the bucket is full", () => {
  const limiter = createLimiter({ bytesPerSecond: 100 });
  assert.equal(limiter.reserve(0, 250), 0);
  // The oversized packet left a debt of 150 bytes: the next one waits for it to be repaid.
  assert.equal(limiter.reserve(0, 50), 2000);
});

Deno.test("readyAt() tells when a publish could leave without reserving it", () => {
  const limiter = createLimiter({ publishesPerSecond: 1 });
  assert.equal(limiter.readyAt(0, 10), 0);
  assert.equal(limiter.readyAt(0, 10), 0);
  assert.equal(limiter.reserve(0, 10), 0);
  assert.equal(limiter.readyAt(0, 10), 1000);
  assert.equal(limiter.readyAt(400, 10), 1000);
  // Asking does not move the reservation: the next reserve still gets 1000.
  assert.equal(limiter.reserve(400, 10), 1000);
  assert.equal(limiter.readyAt(1000, 10), 2000);
});

Deno.test("createLimiter() rejects a malformed profile", () => {
  assert.throws(
    () => createLimiter({ maxTopicBytes: -1 }),
    new RangeError("Cannot create limiter: maxTopicBytes must be a non-negative integer, got -1"),
  );
  assert.throws(
    () => createLimiter({ maxSubscriptionsPerSubscribe: 0 }),
    new RangeError("Cannot create limiter: maxSubscriptionsPerSubscribe must be at least 1"),
  );
  assert.throws(
    () => createLimiter({ bytesPerSecond: 0 }),
    new RangeError("Cannot create limiter: bytesPerSecond must be a positive number, got 0"),
  );
  assert.throws(
    () => createLimiter({ maximumQoS: 3 as 0 }),
    new RangeError("Cannot create limiter: maximumQoS must be 0, 1 or 2, got 3"),
  );
});

Deno.test("reserve() rejects a time or size that is not a number it can use", () => {
  const limiter = createLimiter({ publishesPerSecond: 1 });
  assert.throws(
    () => limiter.reserve(NaN, 1),
    new RangeError("Cannot schedule a publish: now must be a finite number, got NaN"),
  );
  assert.throws(
    () => limiter.readyAt(0, -1),
    new RangeError("Cannot schedule a publish: bytes must be a non-negative integer, got -1"),
  );
});

Deno.test("the profile is copied and frozen, so later edits to the object do not loosen it", () => {
  const mutable: BrokerLimits = { maxPayloadBytes: 1 };
  const limiter = createLimiter(mutable);
  mutable.maxPayloadBytes = 1000;
  assert.throws(
    () => limiter.checkPublish({ topic: "a", payloadBytes: 2, qos: 0 }),
    BrokerLimitError,
  );
  assert.ok(Object.isFrozen(limiter.limits));
});
