/** What happens to queued operations when the connection is lost, and to new ones while it is. */
export type OfflineQueuePolicy =
  /** Keep QoS 1 and 2 publishes; fail QoS 0 publishes, subscribes and unsubscribes. */
  | "failNonQos1PublishOnDisconnect"
  /** Keep everything except QoS 0 publishes. The default. */
  | "failQos0PublishOnDisconnect"
  /** Keep nothing: every queued operation fails when the connection is lost. */
  | "failAllOnDisconnect";

/** An operation as the offline queue policy judges it: what it sends, at which QoS. */
export interface QueuedOperation {
  /** What the operation sends. */
  kind: "publish" | "subscribe" | "unsubscribe";
  /** The QoS of a publish; absent means 0. */
  qos?: 0 | 1 | 2;
}

/**
 * An operation that failed because the queue was full: it counted too many operations or
 * bytes. Nothing was sent; the caller may retry later.
 *
 * @example
 * ```ts
 * import { QueueFullError } from "@tern/agent";
 *
 * const error = new QueueFullError("Cannot publish: the offline queue is full", { limit: "bytes" });
 * console.log(error.limit); // "bytes"
 * ```
 */
export class QueueFullError extends Error {
  /** Which limit was reached. */
  readonly limit: "operations" | "bytes";

  /** Creates the error for the limit that was reached. */
  constructor(message: string, options: { limit: "operations" | "bytes" }) {
    super(message);
    this.name = "QueueFullError";
    this.limit = options.limit;
  }
}

/**
 * An operation that failed because the client was, or became, disconnected and the offline
 * queue policy does not keep operations of its kind. Nothing was sent.
 *
 * @example
 * ```ts
 * import { OfflineError } from "@tern/agent";
 *
 * const error = new OfflineError("Cannot publish: the client is disconnected", {
 *   policy: "failAllOnDisconnect",
 * });
 * console.log(error.policy); // "failAllOnDisconnect"
 * ```
 */
export class OfflineError extends Error {
  /** The policy that failed the operation. */
  readonly policy: OfflineQueuePolicy;

  /** Creates the error; `cause` is the connection loss, when known. */
  constructor(message: string, options: { policy: OfflineQueuePolicy; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "OfflineError";
    this.policy = options.policy;
  }
}

/**
 * A publish whose Message Expiry Interval ran out while it waited in the client's queue
 * (offline, or held back by the server's Receive Maximum or rate limits). Nothing was sent:
 * the message would have expired at the server anyway. A publish that leaves after waiting
 * carries the interval less the whole seconds it waited, as a server forwards it
 * [MQTT-3.3.2-6].
 *
 * @example
 * ```ts
 * import { MessageExpiredError } from "@tern/agent";
 *
 * const error = new MessageExpiredError(
 *   "Cannot publish: the message expired after waiting 30 s in the queue",
 *   { messageExpiryInterval: 30, waitedSeconds: 30 },
 * );
 * console.log(error.messageExpiryInterval, error.waitedSeconds); // 30 30
 * ```
 */
export class MessageExpiredError extends Error {
  /** The message's expiry interval, in seconds. */
  readonly messageExpiryInterval: number;
  /** The whole seconds it had waited in the queue. */
  readonly waitedSeconds: number;

  /** Creates the error for a message of `messageExpiryInterval` that waited `waitedSeconds`. */
  constructor(message: string, options: { messageExpiryInterval: number; waitedSeconds: number }) {
    super(message);
    this.name = "MessageExpiredError";
    this.messageExpiryInterval = options.messageExpiryInterval;
    this.waitedSeconds = options.waitedSeconds;
  }
}

/**
 * Whether `policy` keeps `operation` across a disconnect (and accepts it while offline).
 *
 * @example
 * ```ts
 * import { keepsOnDisconnect } from "@tern/agent";
 *
 * const subscribe = { kind: "subscribe" as const };
 * console.log(keepsOnDisconnect("failQos0PublishOnDisconnect", subscribe)); // true
 * console.log(keepsOnDisconnect("failNonQos1PublishOnDisconnect", subscribe)); // false
 * ```
 */
export function keepsOnDisconnect(policy: OfflineQueuePolicy, operation: QueuedOperation): boolean {
  const qos = operation.qos ?? 0;
  switch (policy) {
    case "failNonQos1PublishOnDisconnect":
      return operation.kind === "publish" && qos > 0;
    case "failQos0PublishOnDisconnect":
      return operation.kind !== "publish" || qos > 0;
    case "failAllOnDisconnect":
      return false;
  }
}
