/** What happens to queued operations when the connection is lost, and to new ones while it is. */
export type OfflineQueuePolicy =
  /** Keep QoS 1 and 2 publishes; fail QoS 0 publishes, subscribes and unsubscribes. */
  | "failNonQos1PublishOnDisconnect"
  /** Keep everything except QoS 0 publishes. The default. */
  | "failQos0PublishOnDisconnect"
  /** Keep nothing: every queued operation fails when the connection is lost. */
  | "failAllOnDisconnect";

/**
 * One operation waiting to be written, as the queue sees it. The runner extends it with
 * whatever it needs to send the operation later (the packet, the promise's resolve).
 */
export interface QueuedOperation {
  /** What the operation sends. */
  kind: "publish" | "subscribe" | "unsubscribe";
  /** The QoS of a publish; absent means 0. */
  qos?: 0 | 1 | 2;
  /** Its size as counted against `maxBytes`, normally the encoded packet's length. */
  bytes: number;
  /** Settles the operation's promise with `error`; called at most once, must not throw. */
  fail(error: Error): void;
}

/** Options for {@linkcode OfflineQueue}. */
export interface OfflineQueueOptions {
  /** Default `"failQos0PublishOnDisconnect"`. */
  policy?: OfflineQueuePolicy;
  /** At most this many queued operations. Default 10000. */
  maxOperations?: number;
  /** At most this many bytes of queued operations. Default 16 MiB. */
  maxBytes?: number;
}

/** Options for {@linkcode OfflineQueue.disconnected}. */
export interface DisconnectedOptions {
  /** Why the connection was lost; becomes the `cause` of each operation's error. */
  cause?: unknown;
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

const POLICIES: readonly OfflineQueuePolicy[] = [
  "failNonQos1PublishOnDisconnect",
  "failQos0PublishOnDisconnect",
  "failAllOnDisconnect",
];

/**
 * Whether `policy` keeps `operation` across a disconnect (and accepts it while offline).
 *
 * @example
 * ```ts
 * import { keepsOnDisconnect } from "@tern/agent";
 *
 * const subscribe = { kind: "subscribe" as const, bytes: 20, fail() {} };
 * console.log(keepsOnDisconnect("failQos0PublishOnDisconnect", subscribe)); // true
 * console.log(keepsOnDisconnect("failNonQos1PublishOnDisconnect", subscribe)); // false
 * ```
 */
export function keepsOnDisconnect(
  policy: OfflineQueuePolicy,
  operation: Pick<QueuedOperation, "kind" | "qos">,
): boolean {
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

/**
 * The bounded queue of operations not yet written: operations issued while disconnected, and
 * those waiting their turn while connected. Pure: it holds records and calls their `fail`, the
 * runner does the sending.
 *
 * Every operation that enters either leaves through {@linkcode OfflineQueue.shift} (the runner
 * sends it) or has its `fail` called exactly once: when the queue is full, when the policy does
 * not keep it while disconnected, or on {@linkcode OfflineQueue.failAll}. Nothing grows past
 * `maxOperations` or `maxBytes`, except operations put back with
 * {@linkcode OfflineQueue.requeue}, which were counted when they first came in.
 *
 * The runner calls `connected()` after CONNACK (and after restoring subscriptions, so that
 * queued publishes follow them), `disconnected()` when the connection is lost, `requeue()` for
 * operations it had taken but that were not completed, and `failAll()` on stop.
 *
 * @example Operations wait while offline and leave in order once connected
 * ```ts
 * import { OfflineQueue, type QueuedOperation } from "@tern/agent";
 *
 * const queue = new OfflineQueue<QueuedOperation & { id: number }>({ maxOperations: 2 });
 * const failed: string[] = [];
 * const op = (id: number, qos: 0 | 1) => ({
 *   id,
 *   kind: "publish" as const,
 *   qos,
 *   bytes: 10,
 *   fail: (error: Error) => failed.push(`${id}: ${error.name}`),
 * });
 * queue.add(op(1, 1));
 * queue.add(op(2, 0)); // QoS 0 while offline: fails at once under the default policy
 * queue.add(op(3, 1));
 * queue.add(op(4, 1)); // full
 * console.log(failed); // ["2: OfflineError", "4: QueueFullError"]
 * queue.connected();
 * console.log(queue.shift()?.id, queue.shift()?.id); // 1 3
 * ```
 */
export class OfflineQueue<T extends QueuedOperation = QueuedOperation> {
  readonly #policy: OfflineQueuePolicy;
  readonly #maxOperations: number;
  readonly #maxBytes: number;
  #items: T[] = [];
  /** Index of the first item in `#items`: shifting moves it instead of copying the array. */
  #head = 0;
  #bytes = 0;
  #online = false;

  /** Creates an empty queue in the offline state; throws a RangeError or TypeError on bad options. */
  constructor(options: OfflineQueueOptions = {}) {
    const {
      policy = "failQos0PublishOnDisconnect",
      maxOperations = 10_000,
      maxBytes = 16 * 1024 * 1024,
    } = options;
    if (!POLICIES.includes(policy)) {
      throw new TypeError(
        `Cannot create offline queue: policy must be one of ${POLICIES.join(", ")}, got ${
          String(policy)
        }`,
      );
    }
    checkLimit("maxOperations", maxOperations);
    checkLimit("maxBytes", maxBytes);
    this.#policy = policy;
    this.#maxOperations = maxOperations;
    this.#maxBytes = maxBytes;
  }

  /** The policy in force. */
  get policy(): OfflineQueuePolicy {
    return this.#policy;
  }

  /** Whether the runner reported a connection (`connected()` since the last `disconnected()`). */
  get online(): boolean {
    return this.#online;
  }

  /** Number of queued operations. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Sum of the queued operations' `bytes`. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Queues `operation` at the back. Returns `false` after calling its `fail` when it cannot be
   * kept: the client is offline and the policy fails its kind ({@linkcode OfflineError}), or it
   * would take the queue past a limit ({@linkcode QueueFullError}).
   */
  add(operation: T): boolean {
    checkOperation(operation);
    if (!this.#online && !keepsOnDisconnect(this.#policy, operation)) {
      operation.fail(this.#offlineError(operation));
      return false;
    }
    if (this.size + 1 > this.#maxOperations) {
      operation.fail(
        new QueueFullError(
          `Cannot ${
            describe(operation)
          }: the offline queue is full (${this.size} operations, limit ${this.#maxOperations})`,
          { limit: "operations" },
        ),
      );
      return false;
    }
    if (this.#bytes + operation.bytes > this.#maxBytes) {
      operation.fail(
        new QueueFullError(
          `Cannot ${
            describe(operation)
          }: the offline queue is full (${this.#bytes} bytes queued, ${operation.bytes} more would pass the limit of ${this.#maxBytes})`,
          { limit: "bytes" },
        ),
      );
      return false;
    }
    this.#items.push(operation);
    this.#bytes += operation.bytes;
    return true;
  }

  /** Removes and returns the oldest operation, for the runner to send. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const operation = this.#items[this.#head];
    this.#items[this.#head] = undefined as unknown as T;
    this.#head++;
    this.#bytes -= operation.bytes;
    // Compact once the consumed prefix dominates, so memory follows the queue's size.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return operation;
  }

  /**
   * Puts operations the runner had taken but not completed (unwritten, or a SUBSCRIBE still
   * waiting for its SUBACK) back at the front, in the given order, ahead of later ones. They
   * skip the limits, which they passed when first added; while offline the policy still
   * applies to them.
   */
  requeue(operations: readonly T[]): void {
    operations.forEach(checkOperation);
    const { kept, failed } = this.#online
      ? { kept: [...operations], failed: [] }
      : this.#split(operations);
    this.#items = [...kept, ...this.#items.slice(this.#head)];
    this.#head = 0;
    for (const operation of kept) this.#bytes += operation.bytes;
    this.#failOffline(failed, undefined);
  }

  /** Records that a connection is up: new operations are queued whatever their kind. */
  connected(): void {
    this.#online = true;
  }

  /**
   * Records that the connection is lost, and fails every queued operation the policy does not
   * keep with an {@linkcode OfflineError}. Returns how many failed.
   */
  disconnected(options: DisconnectedOptions = {}): number {
    this.#online = false;
    const { kept, failed } = this.#split(this.#items.slice(this.#head));
    this.#items = kept;
    this.#head = 0;
    this.#bytes = 0;
    for (const operation of kept) this.#bytes += operation.bytes;
    this.#failOffline(failed, options.cause);
    return failed.length;
  }

  /** Empties the queue, failing every operation with `error` (on stop). Returns how many failed. */
  failAll(error: Error): number {
    const queued = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
    failEach(queued, () => error);
    return queued.length;
  }

  #split(operations: readonly T[]): { kept: T[]; failed: T[] } {
    const kept: T[] = [];
    const failed: T[] = [];
    for (const operation of operations) {
      (keepsOnDisconnect(this.#policy, operation) ? kept : failed).push(operation);
    }
    return { kept, failed };
  }

  /** Called only once the queue's own state is settled, in case a `fail` throws. */
  #failOffline(operations: T[], cause: unknown): void {
    failEach(operations, (operation) => this.#offlineError(operation, cause));
  }

  #offlineError(operation: T, cause?: unknown): OfflineError {
    return new OfflineError(
      `Cannot ${
        describe(operation)
      }: the client is disconnected and the offline queue policy ${this.#policy} does not keep it`,
      { policy: this.#policy, cause },
    );
  }
}

/** Calls every `fail`, even if one throws, so that no other promise is left pending. */
function failEach<T extends QueuedOperation>(
  operations: T[],
  error: (operation: T) => Error,
): void {
  let thrown: { error: unknown } | undefined;
  for (const operation of operations) {
    try {
      operation.fail(error(operation));
    } catch (failure) {
      thrown ??= { error: failure };
    }
  }
  if (thrown) throw thrown.error;
}

function describe(operation: QueuedOperation): string {
  return operation.kind === "publish" ? `publish at QoS ${operation.qos ?? 0}` : operation.kind;
}

function checkLimit(name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot create offline queue: ${name} must be a positive integer, got ${String(value)}`,
    );
  }
}

function checkOperation(operation: QueuedOperation): void {
  if (typeof operation !== "object" || operation === null) {
    throw new TypeError("Cannot queue operation: it must be an object");
  }
  const { kind, qos, bytes } = operation;
  if (kind !== "publish" && kind !== "subscribe" && kind !== "unsubscribe") {
    throw new TypeError(
      `Cannot queue operation: kind must be "publish", "subscribe" or "unsubscribe", got ${
        String(kind)
      }`,
    );
  }
  if (qos !== undefined && qos !== 0 && qos !== 1 && qos !== 2) {
    throw new RangeError(`Cannot queue operation: qos must be 0, 1 or 2, got ${String(qos)}`);
  }
  if (typeof bytes !== "number" || !Number.isInteger(bytes) || bytes < 0) {
    throw new RangeError(
      `Cannot queue operation: bytes must be an integer >= 0, got ${String(bytes)}`,
    );
  }
  if (typeof operation.fail !== "function") {
    throw new TypeError("Cannot queue operation: fail must be a function");
  }
}
