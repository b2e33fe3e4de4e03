/**
 * The AWS IoT Core broker limits as a `BrokerLimits` profile for `@tern/agent`.
 *
 * @module
 */
import type { BrokerLimits } from "@tern/agent";

// Basic Ingest (`$aws/rules/<rule>/`) and shared-subscription (`$share/<name>/`) prefixes
// do not count against the topic size and slash limits (aws_iot.md §3.1).
const UNCOUNTED_PREFIX = /^(?:\$aws\/rules\/[^/]+(?:\/|$)|\$share\/[^/]+\/)/;

/**
 * The part of an AWS IoT Core topic name or filter that counts against the 256-byte and
 * 7-slash limits: everything after a `$aws/rules/<rule>/` or `$share/<name>/` prefix.
 *
 * @example
 * ```ts
 * import { iotCoreCountedTopic } from "@tern/aws";
 *
 * console.log(iotCoreCountedTopic("$aws/rules/store/a/b")); // "a/b"
 * console.log(iotCoreCountedTopic("$share/workers/jobs/#")); // "jobs/#"
 * console.log(iotCoreCountedTopic("$aws/things/t/shadow/get")); // unchanged
 * ```
 */
export function iotCoreCountedTopic(topic: string): string {
  return topic.replace(UNCOUNTED_PREFIX, "");
}

/**
 * AWS IoT Core's per-connection limits (aws_iot.md §3.1): client id ≤ 128 bytes; topics and
 * filters ≤ 256 bytes and ≤ 7 slashes, not counting the Basic Ingest and shared-subscription
 * prefixes; ≤ 8 filters per SUBSCRIBE; payload ≤ 128 KiB; outbound PUBLISH throttled to 100
 * per second and 512 KiB per second; QoS 2 refused (IoT Core disconnects a client that
 * uses it).
 *
 * @example Enforce IoT Core limits with any client
 * ```ts
 * import { createLimiter } from "@tern/agent";
 * import { iotCoreLimits } from "@tern/aws";
 *
 * const limiter = createLimiter(iotCoreLimits);
 * try {
 *   limiter.checkPublish({ topic: "a/b/c/d/e/f/g/h/i", payloadBytes: 10, qos: 1 });
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // Cannot publish: topic "a/b/c/d/e/f/g/h/i" counts 8 slashes, over the AWS IoT Core limit maxTopicSlashes of 7
 * }
 * ```
 */
export const iotCoreLimits: Readonly<BrokerLimits> = Object.freeze({
  name: "AWS IoT Core",
  maxClientIdBytes: 128,
  maxTopicBytes: 256,
  maxTopicSlashes: 7,
  countedTopic: iotCoreCountedTopic,
  maxSubscriptionsPerSubscribe: 8,
  maxPayloadBytes: 128 * 1024,
  publishesPerSecond: 100,
  bytesPerSecond: 512 * 1024,
  maximumQoS: 1,
});
