import assert from "node:assert/strict";
import { BrokerLimitError, createLimiter } from "@tern/agent";
import { iotCoreCountedTopic, iotCoreLimits } from "./iot_core_limits.ts";

const limiter = createLimiter(iotCoreLimits);

function refuses(fn: () => void, limit: string, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof BrokerLimitError);
    assert.equal(error.limit, limit);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("iotCoreLimits accepts the longest named-shadow topic: 234 bytes and 7 slashes", () => {
  const topic = `$aws/things/${"t".repeat(128)}/shadow/name/${"s".repeat(64)}/update/documents`;
  assert.equal(new TextEncoder().encode(topic).length, 234);
  limiter.checkPublish({ topic, payloadBytes: 8192, qos: 1 });
  limiter.checkSubscribe([{ topicFilter: topic, qos: 1 }]);
});

Deno.test("iotCoreLimits refuses topics over 256 bytes or 7 slashes", () => {
  limiter.checkPublish({ topic: "t".repeat(256), payloadBytes: 0, qos: 0 });
  refuses(
    () => limiter.checkPublish({ topic: "t".repeat(257), payloadBytes: 0, qos: 0 }),
    "maxTopicBytes",
    `Cannot publish: topic "${
      "t".repeat(257)
    }" counts 257 bytes, over the AWS IoT Core limit maxTopicBytes of 256`,
  );
  limiter.checkPublish({ topic: "1/2/3/4/5/6/7/8", payloadBytes: 0, qos: 0 });
  refuses(
    () => limiter.checkSubscribe([{ topicFilter: "1/2/3/4/5/6/7/8/#", qos: 0 }]),
    "maxTopicSlashes",
    'Cannot subscribe: topic filter "1/2/3/4/5/6/7/8/#" counts 8 slashes, over the AWS IoT Core limit maxTopicSlashes of 7',
  );
});

Deno.test("iotCoreLimits does not count the Basic Ingest and $share prefixes", () => {
  assert.equal(iotCoreCountedTopic("$aws/rules/my_rule/a/b"), "a/b");
  assert.equal(iotCoreCountedTopic("$aws/rules/my_rule"), "");
  assert.equal(iotCoreCountedTopic("$share/group/a/+"), "a/+");
  assert.equal(iotCoreCountedTopic("$aws/things/x/shadow/get"), "$aws/things/x/shadow/get");
  limiter.checkPublish({ topic: `$aws/rules/rule/${"t".repeat(256)}`, payloadBytes: 0, qos: 0 });
  limiter.checkPublish({ topic: "$aws/rules/rule/1/2/3/4/5/6/7/8", payloadBytes: 0, qos: 0 });
  limiter.checkSubscribe([{ topicFilter: "$share/group/1/2/3/4/5/6/7/#", qos: 1 }]);
  refuses(
    () => limiter.checkSubscribe([{ topicFilter: "$share/group/1/2/3/4/5/6/7/8/#", qos: 1 }]),
    "maxTopicSlashes",
    'Cannot subscribe: topic filter "$share/group/1/2/3/4/5/6/7/8/#" counts 8 slashes, over the AWS IoT Core limit maxTopicSlashes of 7',
  );
});

Deno.test("iotCoreLimits refuses QoS 2, payloads over 128 KiB and client ids over 128 bytes", () => {
  refuses(
    () => limiter.checkPublish({ topic: "a", payloadBytes: 0, qos: 2 }),
    "maximumQoS",
    "Cannot publish: QoS 2 requested, over the AWS IoT Core limit maximumQoS of 1",
  );
  refuses(
    () => limiter.checkSubscribe([{ topicFilter: "a", qos: 2 }]),
    "maximumQoS",
    "Cannot subscribe: QoS 2 requested, over the AWS IoT Core limit maximumQoS of 1",
  );
  limiter.checkPublish({ topic: "a", payloadBytes: 131072, qos: 1 });
  refuses(
    () => limiter.checkPublish({ topic: "a", payloadBytes: 131073, qos: 1 }),
    "maxPayloadBytes",
    "Cannot publish: payload is 131073 bytes, over the AWS IoT Core limit maxPayloadBytes of 131072",
  );
  limiter.checkConnect({ clientId: "c".repeat(128) });
  refuses(
    () => limiter.checkConnect({ clientId: "c".repeat(129) }),
    "maxClientIdBytes",
    "Cannot connect: client id is 129 bytes, over the AWS IoT Core limit maxClientIdBytes of 128",
  );
});

Deno.test("iotCoreLimits splits SUBSCRIBE into batches of 8", () => {
  const filters = Array.from(
    { length: 17 },
    (_, i) => ({ topicFilter: `f/${i}`, qos: 1 as const }),
  );
  const batches = createLimiter(iotCoreLimits).splitSubscribe(filters);
  assert.deepEqual(batches.map((batch) => batch.length), [8, 8, 1]);
  assert.deepEqual(batches.flat(), filters);
});

Deno.test("iotCoreLimits throttles to 100 publishes and 512 KiB per second", () => {
  const counted = createLimiter(iotCoreLimits);
  const small = Array.from({ length: 102 }, () => counted.reserve(0, 100));
  assert.equal(small.filter((t) => t === 0).length, 100);
  assert.deepEqual(small.slice(100), [10, 20]);
  const bytes = createLimiter(iotCoreLimits);
  // Four 128 KiB publishes empty the 512 KiB bucket; the fifth waits a quarter second.
  const big = Array.from({ length: 5 }, () => bytes.reserve(0, 128 * 1024));
  assert.deepEqual(big, [0, 0, 0, 0, 250]);
});
