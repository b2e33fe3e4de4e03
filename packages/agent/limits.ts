/**
 * Broker limit profiles and their enforcement: size, level, batch and QoS checks that run
 * before anything is sent, and a token-bucket throttle for outbound PUBLISH packets.
 *
 * Pure: nothing here reads a clock. Callers pass `now` (milliseconds on any monotonic
 * scale) to {@linkcode Limiter.reserve}.
 *
 * @module
 */

/**
 * What a broker accepts, as a profile. Every field is optional; an absent field means
 * "no limit". `@tern/aws` exports `iotCoreLimits`, the AWS IoT Core profile.
 *
 * @example A profile for a small embedded broker
 * ```ts
 * import { type BrokerLimits, createLimiter } from "@tern/agent";
 *
 * const tiny: BrokerLimits = { name: "tiny broker", maxTopicBytes: 64, maximumQoS: 1 };
 * const limiter = createLimiter(tiny);
 * limiter.checkPublish({ topic: "sensors/1", payloadBytes: 12, qos: 1 });
 * ```
 */
export interface BrokerLimits {
  /** Names the profile in error messages, e.g. "AWS IoT Core". */
  name?: string;
  /** Longest client identifier, in UTF-8 bytes. */
  maxClientIdBytes?: number;
  /** Longest topic name or topic filter, in UTF-8 bytes of its counted part. */
  maxTopicBytes?: number;
  /** Most `/` characters in the counted part of a topic name or topic filter. */
  maxTopicSlashes?: number;
  /**
   * The part of a topic name or filter that counts against `maxTopicBytes` and
   * `maxTopicSlashes`. Brokers exempt some prefixes (AWS IoT Core: `$aws/rules/<rule>/`
   * and `$share/<name>/`). Defaults to the whole topic.
   */
  countedTopic?: (topic: string) => string;
  /** Most topic filters in one SUBSCRIBE; longer lists are split into several packets. */
  maxSubscriptionsPerSubscribe?: number;
  /** Largest application payload of a PUBLISH or will message, in bytes. */
  maxPayloadBytes?: number;
  /** Outbound PUBLISH packets per second; a burst of this many is allowed. */
  publishesPerSecond?: number;
  /** Outbound PUBLISH bytes (whole encoded packets) per second; a burst of this many is allowed. */
  bytesPerSecond?: number;
  /** Highest QoS the broker accepts for publishes, wills and subscriptions. */
  maximumQoS?: 0 | 1 | 2;
}

/** The name of one limit in a {@linkcode BrokerLimits} profile. */
export type BrokerLimitName = Exclude<keyof BrokerLimits, "name" | "countedTopic">;

/**
 * Thrown when an operation would break a limit of the broker's profile. Nothing has been
 * sent when it is thrown.
 *
 * @example Find out which limit was hit
 * ```ts
 * import { BrokerLimitError, createLimiter } from "@tern/agent";
 *
 * const limiter = createLimiter({ maximumQoS: 1 });
 * try {
 *   limiter.checkPublish({ topic: "a", payloadBytes: 0, qos: 2 });
 * } catch (error: unknown) {
 *   if (error instanceof BrokerLimitError) console.log(error.limit); // "maximumQoS"
 * }
 * ```
 */
export class BrokerLimitError extends RangeError {
  /** The limit that was exceeded. */
  readonly limit: BrokerLimitName;
  /** The offending value (bytes, count, or QoS). */
  readonly value: number;
  /** The profile's maximum for this limit. */
  readonly maximum: number;

  /** Creates the error; `message` should say what was attempted and what was wrong. */
  constructor(
    message: string,
    options: { limit: BrokerLimitName; value: number; maximum: number },
  ) {
    super(message);
    this.name = "BrokerLimitError";
    this.limit = options.limit;
    this.value = options.value;
    this.maximum = options.maximum;
  }
}

/** A PUBLISH (or will message) to check against the profile. */
export interface PublishCheck {
  /** The topic name, exemptions included (they are stripped by `countedTopic`). */
  topic: string;
  /** Size of the application payload in bytes. */
  payloadBytes: number;
  /** The QoS the message is sent with. */
  qos: 0 | 1 | 2;
}

/** A CONNECT to check against the profile. */
export interface ConnectCheck {
  /** The client identifier to be sent in CONNECT. */
  clientId: string;
  /** The will message, if any; checked like a publish. */
  will?: PublishCheck;
}

/** One subscription to check against the profile. */
export interface SubscriptionCheck {
  /** The topic filter, exemptions included (they are stripped by `countedTopic`). */
  topicFilter: string;
  /** The maximum QoS requested for the subscription. */
  qos: 0 | 1 | 2;
}

/** Enforces one {@linkcode BrokerLimits} profile; made by {@linkcode createLimiter}. */
export interface Limiter {
  /** The profile being enforced. */
  readonly limits: Readonly<BrokerLimits>;
  /** Throws {@linkcode BrokerLimitError} if the client id or will break a limit. */
  checkConnect(connect: ConnectCheck): void;
  /** Throws {@linkcode BrokerLimitError} if the topic, payload or QoS break a limit. */
  checkPublish(publish: PublishCheck): void;
  /** Throws {@linkcode BrokerLimitError} if any filter or requested QoS breaks a limit. */
  checkSubscribe(subscriptions: readonly SubscriptionCheck[]): void;
  /** Throws {@linkcode BrokerLimitError} if any filter breaks a limit. */
  checkUnsubscribe(topicFilters: readonly string[]): void;
  /**
   * Splits the subscriptions of one SUBSCRIBE into batches of at most
   * `maxSubscriptionsPerSubscribe`, in order. Returns one batch when there is no limit.
   */
  splitSubscribe<T>(subscriptions: readonly T[]): T[][];
  /**
   * Reserves the sending of one PUBLISH of `bytes` encoded bytes, requested at `now`
   * (milliseconds), and returns the earliest time it may be sent (≥ `now`). Reservations
   * are granted in call order, so the returned times never decrease. Returns `now` when the
   * profile has no rate limits. Limits apply per connection: use a new limiter for each.
   */
  reserve(now: number, bytes: number): number;
  /**
   * The time {@linkcode Limiter.reserve} would return, without reserving anything: a
   * session can hold a PUBLISH until then, and reserve it when it actually leaves.
   */
  readyAt(now: number, bytes: number): number;
}

const encoder = new TextEncoder();

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

function validateProfile(limits: BrokerLimits): void {
  const counts: BrokerLimitName[] = [
    "maxClientIdBytes",
    "maxTopicBytes",
    "maxTopicSlashes",
    "maxSubscriptionsPerSubscribe",
    "maxPayloadBytes",
  ];
  for (const key of counts) {
    const value = limits[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(
        `Cannot create limiter: ${key} must be a non-negative integer, got ${value}`,
      );
    }
  }
  if (limits.maxSubscriptionsPerSubscribe === 0) {
    throw new RangeError("Cannot create limiter: maxSubscriptionsPerSubscribe must be at least 1");
  }
  for (const key of ["publishesPerSecond", "bytesPerSecond"] as const) {
    const value = limits[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`Cannot create limiter: ${key} must be a positive number, got ${value}`);
    }
  }
  const qos = limits.maximumQoS;
  if (qos !== undefined && qos !== 0 && qos !== 1 && qos !== 2) {
    throw new RangeError(`Cannot create limiter: maximumQoS must be 0, 1 or 2, got ${qos}`);
  }
  if (limits.countedTopic !== undefined && typeof limits.countedTopic !== "function") {
    throw new TypeError("Cannot create limiter: countedTopic must be a function");
  }
}

/**
 * A token bucket that grants reservations in order. State is the token count at time `at`,
 * which may lie in the future once a reservation has been granted ahead of time.
 */
interface Bucket {
  rate: number;
  capacity: number;
  tokens: number;
  at: number;
}

function tokensAt(bucket: Bucket, time: number): number {
  return Math.min(bucket.capacity, bucket.tokens + (time - bucket.at) * bucket.rate / 1000);
}

/** The earliest time ≥ `now` at which the bucket can pay `cost`. */
function readyAt(bucket: Bucket, now: number, cost: number): number {
  const start = Math.max(now, bucket.at);
  // A single cost larger than the bucket waits for a full bucket and then goes into debt,
  // so oversized items are slowed down rather than blocked forever.
  const needed = Math.min(cost, bucket.capacity);
  const available = tokensAt(bucket, start);
  return available >= needed ? start : start + (needed - available) * 1000 / bucket.rate;
}

function spend(bucket: Bucket, time: number, cost: number): void {
  bucket.tokens = tokensAt(bucket, time) - cost;
  bucket.at = time;
}

/**
 * Creates the enforcement object for a profile. Checks throw {@linkcode BrokerLimitError};
 * a malformed profile throws `RangeError` or `TypeError` here.
 *
 * @example Refuse an oversized publish, split a subscription list, and throttle
 * ```ts
 * import { createLimiter } from "@tern/agent";
 *
 * const limiter = createLimiter({
 *   maxPayloadBytes: 1024,
 *   maxSubscriptionsPerSubscribe: 2,
 *   publishesPerSecond: 10,
 * });
 * try {
 *   limiter.checkPublish({ topic: "a/b", payloadBytes: 2048, qos: 0 });
 * } catch (error) {
 *   console.log((error as Error).message);
 * }
 * console.log(limiter.splitSubscribe(["a", "b", "c"])); // [["a", "b"], ["c"]]
 * // Ten publishes at t=0 go at once; the eleventh waits 100 ms for a token.
 * for (let i = 0; i < 10; i++) limiter.reserve(0, 100);
 * console.log(limiter.reserve(0, 100)); // 100
 * ```
 */
export function createLimiter(limits: BrokerLimits): Limiter {
  validateProfile(limits);
  const profile: Readonly<BrokerLimits> = Object.freeze({ ...limits });
  const label = profile.name ? `${profile.name} ` : "";
  const counted = profile.countedTopic ?? ((topic: string) => topic);
  const bucket = (rate: number | undefined): Bucket | undefined =>
    rate === undefined ? undefined : { rate, capacity: rate, tokens: rate, at: -Infinity };
  const publishBucket = bucket(profile.publishesPerSecond);
  const bytesBucket = bucket(profile.bytesPerSecond);

  const fail = (action: string, detail: string, limit: BrokerLimitName, value: number): never => {
    const maximum = profile[limit] as number;
    throw new BrokerLimitError(
      `Cannot ${action}: ${detail}, over the ${label}limit ${limit} of ${maximum}`,
      { limit, value, maximum },
    );
  };

  const checkTopic = (action: string, what: string, topic: string) => {
    const part = counted(topic);
    const { maxTopicBytes, maxTopicSlashes } = profile;
    if (maxTopicBytes !== undefined) {
      const bytes = byteLength(part);
      if (bytes > maxTopicBytes) {
        fail(action, `${what} "${topic}" counts ${bytes} bytes`, "maxTopicBytes", bytes);
      }
    }
    if (maxTopicSlashes !== undefined) {
      let slashes = 0;
      for (const char of part) if (char === "/") slashes++;
      if (slashes > maxTopicSlashes) {
        fail(action, `${what} "${topic}" counts ${slashes} slashes`, "maxTopicSlashes", slashes);
      }
    }
  };

  const sendTime = (now: number, bytes: number): number => {
    if (!Number.isFinite(now)) {
      throw new RangeError(`Cannot schedule a publish: now must be a finite number, got ${now}`);
    }
    if (!(Number.isInteger(bytes) && bytes >= 0)) {
      throw new RangeError(
        `Cannot schedule a publish: bytes must be a non-negative integer, got ${bytes}`,
      );
    }
    let at = now;
    if (publishBucket) at = Math.max(at, readyAt(publishBucket, now, 1));
    if (bytesBucket) at = Math.max(at, readyAt(bytesBucket, now, bytes));
    return at;
  };

  const checkQoS = (action: string, qos: number) => {
    if (profile.maximumQoS !== undefined && qos > profile.maximumQoS) {
      fail(action, `QoS ${qos} requested`, "maximumQoS", qos);
    }
  };

  const checkPublishLike = (action: string, what: string, publish: PublishCheck) => {
    checkTopic(action, what, publish.topic);
    const { maxPayloadBytes } = profile;
    if (maxPayloadBytes !== undefined && publish.payloadBytes > maxPayloadBytes) {
      const bytes = publish.payloadBytes;
      fail(action, `payload is ${bytes} bytes`, "maxPayloadBytes", bytes);
    }
    checkQoS(action, publish.qos);
  };

  return {
    limits: profile,
    checkConnect(connect) {
      const { maxClientIdBytes } = profile;
      if (maxClientIdBytes !== undefined) {
        const bytes = byteLength(connect.clientId);
        if (bytes > maxClientIdBytes) {
          fail("connect", `client id is ${bytes} bytes`, "maxClientIdBytes", bytes);
        }
      }
      if (connect.will) checkPublishLike("connect", "will topic", connect.will);
    },
    checkPublish(publish) {
      checkPublishLike("publish", "topic", publish);
    },
    checkSubscribe(subscriptions) {
      for (const { topicFilter, qos } of subscriptions) {
        checkTopic("subscribe", "topic filter", topicFilter);
        checkQoS("subscribe", qos);
      }
    },
    checkUnsubscribe(topicFilters) {
      for (const topicFilter of topicFilters) {
        checkTopic("unsubscribe", "topic filter", topicFilter);
      }
    },
    splitSubscribe<T>(subscriptions: readonly T[]): T[][] {
      const size = profile.maxSubscriptionsPerSubscribe ?? Math.max(1, subscriptions.length);
      const batches: T[][] = [];
      for (let i = 0; i < subscriptions.length; i += size) {
        batches.push(subscriptions.slice(i, i + size));
      }
      return batches;
    },
    reserve(now, bytes) {
      // Both buckets are charged at the same instant, the later of their ready times, so
      // neither one counts a packet as sent before it actually goes out.
      const at = sendTime(now, bytes);
      if (publishBucket) spend(publishBucket, at, 1);
      if (bytesBucket) spend(bytesBucket, at, bytes);
      return at;
    },
    readyAt(now, bytes) {
      return sendTime(now, bytes);
    },
  };
}
