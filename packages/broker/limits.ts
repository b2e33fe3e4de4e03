/**
 * The limits that keep one hostile or broken client from exhausting the broker's memory.
 *
 * @module
 */

/**
 * Bounds on what clients may make the broker hold. Every field has a default
 * ({@linkcode DEFAULT_LIMITS}); a client that goes past one is refused or disconnected with
 * the reason code the MQTT 5 specification names for it.
 *
 * @example Allow a few small clients only
 * ```ts
 * import { Broker, type BrokerLimits } from "@tern/broker";
 *
 * const limits: Partial<BrokerLimits> = { maxConnections: 10, maximumPacketSize: 4096 };
 * await using broker = new Broker({ limits });
 * console.log(broker.limits.maxConnections); // 10
 * ```
 */
export interface BrokerLimits {
  /** Open connections at once; one more is closed before its CONNECT is read. */
  maxConnections: number;
  /** Sessions kept (connected or not); a CONNECT that needs one more gets 0x97 Quota exceeded. */
  maxSessions: number;
  /** Largest packet accepted from a client, fixed header included (announced in CONNACK). */
  maximumPacketSize: number;
  /** Messages queued per session while it is offline or its inflight window is full. */
  maxQueuedMessages: number;
  /** Topic and payload bytes queued per session (and unwritten bytes per connection). */
  maxQueuedBytes: number;
  /** QoS 1 and 2 messages sent to a client and not yet acknowledged (also capped by its Receive Maximum). */
  maxInflight: number;
  /** QoS 2 messages a client may have unreleased at once (the Receive Maximum in CONNACK). */
  receiveMaximum: number;
  /** Subscriptions per session; one more gets 0x97 Quota exceeded. */
  maxSubscriptions: number;
  /** Bytes of a topic name or filter (UTF-16 code units counted, a lower bound of UTF-8 bytes). */
  maxTopicLength: number;
  /** Levels of a topic name or filter. */
  maxTopicLevels: number;
  /** Topic aliases a client may set (the Topic Alias Maximum in CONNACK). */
  topicAliasMaximum: number;
  /** Retained messages kept; a new retained topic beyond it is not retained. */
  maxRetained: number;
  /** Longest Session Expiry Interval granted, in seconds (0xFFFFFFFF: never expires). */
  maxSessionExpiryInterval: number;
  /**
   * Longest keep-alive, in seconds: an MQTT 5 client asking for more, or for none, gets this
   * as Server Keep Alive, so a silent client is noticed (and its will sent) within 1.5× it.
   * 0: any keep-alive, none included.
   */
  maxKeepAlive: number;
  /** Milliseconds a new connection may take to send CONNECT. */
  connectTimeoutMs: number;
}

/**
 * The default limits: sized for development, tests and small deployments.
 *
 * @example Read a default
 * ```ts
 * import { DEFAULT_LIMITS } from "@tern/broker";
 *
 * console.log(DEFAULT_LIMITS.maxInflight); // 100
 * ```
 */
export const DEFAULT_LIMITS: Readonly<BrokerLimits> = Object.freeze({
  maxConnections: 10_000,
  maxSessions: 100_000,
  maximumPacketSize: 1024 * 1024,
  maxQueuedMessages: 1000,
  maxQueuedBytes: 16 * 1024 * 1024,
  maxInflight: 100,
  receiveMaximum: 100,
  maxSubscriptions: 1000,
  maxTopicLength: 1024,
  maxTopicLevels: 32,
  topicAliasMaximum: 10,
  maxRetained: 10_000,
  maxSessionExpiryInterval: 0xffffffff,
  maxKeepAlive: 60,
  connectTimeoutMs: 10_000,
});

/** Fills in defaults and checks each value, with an error naming a bad one. */
export function resolveLimits(limits: Partial<BrokerLimits> = {}): BrokerLimits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(
        `Cannot create broker: limits.${name} must be a non-negative integer, got ${value}`,
      );
    }
  }
  if (resolved.receiveMaximum < 1 || resolved.receiveMaximum > 65535) {
    throw new RangeError(
      `Cannot create broker: limits.receiveMaximum must be from 1 to 65535, got ${resolved.receiveMaximum}`,
    );
  }
  if (resolved.maxKeepAlive > 65535 || resolved.topicAliasMaximum > 65535) {
    throw new RangeError(
      "Cannot create broker: limits.maxKeepAlive and limits.topicAliasMaximum must be at most 65535",
    );
  }
  return resolved;
}
