import { quote } from "./_describe.ts";
import { FilterEntry } from "./_filter_entry.ts";
import { Subscriber } from "./_subscriber.ts";
import { matchLevels } from "./_match.ts";
import { SHARE_PREFIX } from "./_shared.ts";
import type { BrokerSubscription, SubscriptionBroker } from "./broker.ts";
import { SubscriptionRefusedError } from "./errors.ts";
import type { LocalSubscription, SubscribeOptions } from "./local_subscription.ts";
import type { Message, QoS } from "./message.ts";
import { validateTopicFilter } from "./topic_filter.ts";
import { TopicTrie } from "./topic_trie.ts";

/** The largest MQTT 5 Subscription Identifier (a Variable Byte Integer) [MQTT-3.8.2.1.2]. */
const MAX_SUBSCRIPTION_IDENTIFIER = 268_435_455;

const OVERFLOW_POLICIES = ["drop-oldest", "drop-newest", "error"];
const ACK_MODES = ["buffered", "handled", "manual"];

/**
 * What an error reported to `onError` happened in: the subscription, and for a handler
 * that threw or rejected, the message it was given.
 *
 * @example Name the filter whose handler failed
 * ```ts
 * import type { ErrorContext } from "@tern/subscriptions";
 *
 * const describe = (context?: ErrorContext) => context?.subscription.topicFilter ?? "-";
 * console.log(describe()); // "-"
 * ```
 */
export interface ErrorContext<M extends Message = Message> {
  /** The subscription whose handler, overflow or UNSUBSCRIBE failed. */
  subscription: LocalSubscription<M>;
  /** The message the handler was given, when a handler failed. */
  message?: M;
}

/**
 * Options for {@linkcode SubscriptionManager}.
 *
 * @example Count and log what nobody subscribed to
 * ```ts
 * import type { SubscriptionManagerOptions } from "@tern/subscriptions";
 *
 * const options: SubscriptionManagerOptions = {
 *   broker: { subscribe: (s) => Promise.resolve(s.qos), unsubscribe: () => Promise.resolve(0) },
 *   onUnmatched: (message) => console.warn("unexpected message on", message.topic),
 *   onError: (error) => console.error("subscription error", error),
 * };
 * console.log(typeof options.broker.subscribe);
 * ```
 */
export interface SubscriptionManagerOptions<M extends Message = Message> {
  /** Sends SUBSCRIBE and UNSUBSCRIBE for the manager: the MQTT client's side. */
  broker: SubscriptionBroker;
  /** Receives each message that no local subscriber took (counted in `unmatched`). */
  onUnmatched?: (message: M) => void;
  /**
   * Receives errors nobody awaits: a handler that threw, a handler subscription that
   * overflowed with policy `"error"`, an UNSUBSCRIBE that failed after a `for await` loop
   * was left. Default: `console.error`.
   */
  onError?: (error: unknown, context?: ErrorContext<M>) => void;
  /** Receives each message a subscription's `overflow` policy dropped (counted in `dropped`). */
  onDrop?: (message: M, subscription: LocalSubscription<M>) => void;
  /**
   * Where the waits between retries of a refused SUBSCRIBE read the time and set their
   * timers (the MQTT client passes its own clock). Default: `performance.now()` and
   * `setTimeout`.
   */
  clock?: {
    now(): number;
    setTimeout(callback: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
  };
}

/**
 * Local fan-out over one MQTT connection. Local subscribers of the same filter share one
 * broker subscription, made when the first arrives (at the highest QoS any of them asks
 * for, re-subscribing to upgrade it) and removed after the last leaves. Each incoming
 * message is routed by its MQTT 5 subscription identifiers when it carries any (the
 * manager gives every filter its own), otherwise by matching its topic in a
 * {@linkcode TopicTrie}; every matching subscriber gets it in its own bounded buffer.
 *
 * The manager does no I/O of its own: the MQTT client plugs in through
 * {@linkcode SubscriptionBroker} and feeds it each PUBLISH with `dispatch()`, which never
 * runs or awaits user code, so a slow subscriber cannot stall the connection.
 *
 * @typeParam M The message type `dispatch` is given and subscribers receive.
 *
 * @example Fan one broker subscription out to a handler and an iterator
 * ```ts
 * import { SubscriptionManager } from "@tern/subscriptions";
 * import assert from "node:assert/strict";
 *
 * const wire: string[] = [];
 * const manager = new SubscriptionManager({
 *   broker: {
 *     subscribe: (s) => (wire.push(`SUBSCRIBE ${s.topicFilter} qos ${s.qos}`), Promise.resolve(s.qos)),
 *     unsubscribe: (f) => (wire.push(`UNSUBSCRIBE ${f}`), Promise.resolve(0)),
 *   },
 * });
 * const seen: string[] = [];
 * const logger = manager.subscribe("alerts/#", { handler: (m) => void seen.push(m.topic) });
 * await logger.ready;
 * const stream = manager.subscribe("alerts/#", { qos: 1 }); // upgrades the broker subscription
 * await stream.ready;
 *
 * manager.dispatch({ topic: "alerts/fire", payload: new Uint8Array(), qos: 1, retain: false });
 * for await (const message of stream) {
 *   assert.equal(message.topic, "alerts/fire");
 *   break;
 * }
 * await logger.unsubscribe();
 * assert.deepEqual(seen, ["alerts/fire"]);
 * assert.deepEqual(wire, ["SUBSCRIBE alerts/# qos 0", "SUBSCRIBE alerts/# qos 1", "UNSUBSCRIBE alerts/#"]);
 * ```
 */
export class SubscriptionManager<M extends Message = Message> {
  #broker: SubscriptionBroker;
  #onUnmatched: ((message: M) => void) | undefined;
  #onError: (error: unknown, context?: ErrorContext<M>) => void;
  #onDrop: ((message: M, subscription: LocalSubscription<M>) => void) | undefined;
  #dropped = 0;
  #clock: NonNullable<SubscriptionManagerOptions["clock"]>;
  #entries = new Map<string, FilterEntry<M>>();
  #byIdentifier = new Map<number, FilterEntry<M>>();
  #trie = new TopicTrie<FilterEntry<M>>();
  #nextIdentifier = 1;
  #unmatched = 0;
  /** Subscribers waiting to retry a refused SUBSCRIBE, and what ends the wait early. */
  #retryWaits = new Map<Subscriber<M>, () => void>();

  /** Creates a manager over the given broker side. */
  constructor(options: SubscriptionManagerOptions<M>) {
    if (typeof options?.broker?.subscribe !== "function") {
      throw new TypeError("Cannot create SubscriptionManager: broker.subscribe is not a function");
    }
    this.#broker = options.broker;
    this.#onUnmatched = options.onUnmatched;
    this.#onError = options.onError ?? ((error) => console.error(error));
    this.#onDrop = options.onDrop;
    this.#clock = options.clock ?? {
      now: () => performance.now(),
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as number),
    };
  }

  /** How many messages the subscriptions' overflow policies dropped, over all of them. */
  get dropped(): number {
    return this.#dropped;
  }

  /** How many dispatched messages no local subscriber took. */
  get unmatched(): number {
    return this.#unmatched;
  }

  /**
   * Adds a local subscriber to `topicFilter` and returns it at once. The broker call is
   * issued before this returns when none is in progress for the filter (so it keeps call
   * order with the caller's next operation), else after those; await `ready` to know the
   * broker subscription exists. Matching messages are delivered from the moment this returns.
   *
   * @param topicFilter A topic filter or shared subscription `$share/{group}/{filter}`.
   * @param options QoS, subscription options, handler, buffer and overflow policy, signal.
   * @returns The subscription: an async iterator of messages unless a handler was given.
   * @throws {TypeError} If the filter or an option is invalid.
   * @throws {RangeError} If `qos`, `retainHandling` or `bufferSize` is out of range.
   */
  subscribe(topicFilter: string, options: SubscribeOptions<M> = {}): LocalSubscription<M> {
    validateTopicFilter(topicFilter);
    checkOptions(topicFilter, options);
    options.signal?.throwIfAborted();
    let entry = this.#entries.get(topicFilter);
    if (!entry) {
      entry = new FilterEntry<M>(topicFilter, this.#allocateIdentifier());
      this.#entries.set(topicFilter, entry);
      this.#byIdentifier.set(entry.subscriptionIdentifier, entry);
      this.#trie.add(topicFilter, entry);
    }
    const owner = entry;
    const local: Subscriber<M> = new Subscriber<M>(topicFilter, options, {
      release: (leaving) => this.#release(owner, leaving),
      reportError: (error, message) => this.#onError(error, { subscription: local, message }),
      dropped: (message) => {
        this.#dropped++;
        this.#onDrop?.(message, local);
      },
    });
    entry.subscribers.add(local);
    entry.run(() => this.#ensure(owner, local, options)).then(
      (qos) => qos !== undefined && local.acknowledged(qos),
      (error) => local.refused(error),
    ).finally(() => this.#forgetIfUnused(owner));
    return local;
  }

  /**
   * Hands an incoming message to its local subscribers and returns how many took it.
   * Call it for every PUBLISH the client receives, with the topic alias resolved; it
   * only queues the message (each subscriber has its own buffer), so it returns without
   * running any handler. Messages nobody takes go to `onUnmatched` and are counted.
   *
   * Flow control: with `onTaken`, a QoS 1 / 2 message is never dropped, and `onTaken` runs
   * (during this call, or later) once every subscriber it was given to has taken it, per
   * their `ack` mode; the client acknowledges the PUBLISH then. It does not run when no
   * subscriber took the message (the result is 0).
   *
   * @param message The message, typically the decoded PUBLISH packet itself.
   * @param onTaken For a QoS 1 / 2 message: called once it may be acknowledged.
   * @returns The number of local subscribers the message was given to.
   */
  dispatch(message: M, onTaken?: () => void): number {
    // The dispatch itself holds the receipt until every subscriber had the message.
    const receipt = onTaken !== undefined && message.qos > 0
      ? { pending: 1, taken: onTaken }
      : undefined;
    let delivered = 0;
    const identifiers = message.properties?.subscriptionIdentifiers;
    if (identifiers !== undefined && identifiers.length > 0) {
      let levels: string[] | undefined;
      // Linear in the number of identifiers, however many a hostile server sends.
      const seen = identifiers.length > 1 ? new Set<FilterEntry<M>>() : undefined;
      for (const identifier of identifiers) {
        const entry = this.#byIdentifier.get(identifier);
        if (!entry || seen?.has(entry)) continue;
        seen?.add(entry);
        levels ??= message.topic.split("/");
        // An identifier from an earlier session may name a different filter now.
        if (matchLevels(entry.levels, levels)) delivered += entry.deliver(message, receipt);
      }
    } else {
      for (const entry of this.#trie.match(message.topic)) {
        delivered += entry.deliver(message, receipt);
      }
    }
    if (delivered === 0) {
      this.#unmatched++;
      const onUnmatched = this.#onUnmatched;
      if (onUnmatched) {
        queueMicrotask(() => {
          try {
            onUnmatched(message);
          } catch (error) {
            this.#onError(error);
          }
        });
      }
      return 0;
    }
    if (receipt !== undefined && --receipt.pending === 0) receipt.taken();
    return delivered;
  }

  /**
   * The broker subscriptions this manager holds (acknowledged and still wanted), as it
   * would send them again: what a client re-subscribes after reconnecting to a server
   * that lost the session (CONNACK `sessionPresent` false).
   *
   * @returns One entry per filter.
   */
  activeSubscriptions(): BrokerSubscription[] {
    const list: BrokerSubscription[] = [];
    for (const entry of this.#entries.values()) {
      if (!entry.granted || entry.subscribers.size === 0) continue;
      list.push({
        topicFilter: entry.topicFilter,
        ...entry.granted.options,
        subscriptionIdentifier: entry.subscriptionIdentifier,
      });
    }
    return list;
  }

  /**
   * Sends SUBSCRIBE again for every active broker subscription, each queued behind any
   * call already in progress for its filter. Subscribers whose filter the broker now
   * refuses are ended with a {@linkcode SubscriptionRefusedError}. Do not await this in
   * the code that reads packets: it waits for SUBACKs.
   *
   * @returns Resolves when every filter has been acknowledged; rejects with the first
   * error the broker side threw (the subscriptions stay active for the next attempt).
   */
  async resubscribe(): Promise<void> {
    const entries = [...this.#entries.values()].filter((entry) => entry.granted);
    await Promise.all(entries.map((entry) =>
      entry.run(async () => {
        if (!entry.granted || entry.subscribers.size === 0) return;
        const options = entry.wanted();
        const code = await this.#broker.subscribe({
          topicFilter: entry.topicFilter,
          ...options,
          subscriptionIdentifier: entry.subscriptionIdentifier,
        });
        if (isGranted(code)) {
          entry.granted = { options, qos: code };
          return;
        }
        entry.granted = undefined;
        const error = refusal("subscribe to", entry.topicFilter, code);
        for (const local of [...entry.subscribers]) local.refused(error);
      }).finally(() => this.#forgetIfUnused(entry))
    ));
  }

  /**
   * Ends every local subscription without touching the broker (for when the client
   * stops for good): waiting iterators reject with `reason`, or finish if none is given.
   *
   * @param reason The error pending `next()` calls reject with.
   */
  close(reason?: unknown): void {
    for (const wake of [...this.#retryWaits.values()]) wake();
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    this.#byIdentifier.clear();
    this.#trie = new TopicTrie();
    for (const entry of entries) {
      entry.granted = undefined;
      const locals = [...entry.subscribers];
      entry.subscribers.clear();
      for (const local of locals) {
        if (reason === undefined) void local.return();
        else local.refused(reason);
      }
    }
  }

  async #ensure(
    entry: FilterEntry<M>,
    local: Subscriber<M>,
    options: SubscribeOptions<M>,
  ): Promise<QoS | undefined> {
    for (let attempt = 1;; attempt++) {
      if (!entry.subscribers.has(local)) return undefined;
      const wanted = entry.wanted();
      if (entry.covers(wanted)) return entry.granted!.qos;
      const code = await this.#broker.subscribe({
        topicFilter: entry.topicFilter,
        ...wanted,
        subscriptionIdentifier: entry.subscriptionIdentifier,
      });
      if (isGranted(code)) {
        entry.granted = { options: wanted, qos: code };
        options.retry?.connected?.(this.#clock.now());
        return code;
      }
      // A refused upgrade leaves the broker's existing subscription in place.
      const error = refusal("subscribe to", entry.topicFilter, code);
      const delayMs = entry.subscribers.has(local)
        ? options.retry?.nextDelay(this.#clock.now(), error)
        : undefined;
      if (delayMs === undefined) throw error;
      try {
        options.onRetry?.({ topicFilter: entry.topicFilter, error, attempt, delayMs });
      } catch (hookError) {
        this.#onError(hookError);
      }
      await this.#retryWait(local, delayMs);
    }
  }

  /** Waits `ms`, or less if `local` ends (release() or close() wakes it). */
  #retryWait(local: Subscriber<M>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#clock.clearTimeout(timer);
        this.#retryWaits.delete(local);
        resolve();
      };
      const timer = this.#clock.setTimeout(wake, ms);
      this.#retryWaits.set(local, wake);
    });
  }

  #release(entry: FilterEntry<M>, local: Subscriber<M>): Promise<void> {
    entry.subscribers.delete(local);
    this.#retryWaits.get(local)?.();
    if (entry.subscribers.size > 0) return Promise.resolve();
    return entry.run(async () => {
      // Someone subscribed again meanwhile, or the broker never had it.
      if (entry.subscribers.size > 0 || !entry.granted) return;
      entry.granted = undefined;
      const code = await this.#broker.unsubscribe(entry.topicFilter);
      if (code !== undefined && code >= 0x80) {
        throw refusal("unsubscribe from", entry.topicFilter, code);
      }
    }).finally(() => this.#forgetIfUnused(entry));
  }

  #forgetIfUnused(entry: FilterEntry<M>): void {
    if (entry.pending > 0 || entry.subscribers.size > 0 || entry.granted) return;
    if (this.#entries.get(entry.topicFilter) !== entry) return;
    this.#entries.delete(entry.topicFilter);
    this.#byIdentifier.delete(entry.subscriptionIdentifier);
    this.#trie.delete(entry.topicFilter, entry);
  }

  /** Counts up, so that a late message for a removed filter does not reach its successor. */
  #allocateIdentifier(): number {
    while (true) {
      const identifier = this.#nextIdentifier;
      this.#nextIdentifier = identifier === MAX_SUBSCRIPTION_IDENTIFIER ? 1 : identifier + 1;
      if (!this.#byIdentifier.has(identifier)) return identifier;
    }
  }
}

function isGranted(code: number): code is QoS {
  return code === 0 || code === 1 || code === 2;
}

function refusal(action: string, topicFilter: string, code: number): SubscriptionRefusedError {
  const hex = "0x" + code.toString(16).toUpperCase().padStart(2, "0");
  return new SubscriptionRefusedError(
    `Cannot ${action} ${quote(topicFilter)}: the broker answered with reason code ${hex}`,
    { reasonCode: code },
  );
}

function checkOptions<M extends Message>(topicFilter: string, options: SubscribeOptions<M>): void {
  const where = `Cannot subscribe to ${quote(topicFilter)}`;
  const { qos, retainHandling, bufferSize, overflow, handler, ack } = options;
  if (qos !== undefined && qos !== 0 && qos !== 1 && qos !== 2) {
    throw new RangeError(`${where}: qos must be 0, 1 or 2, got ${qos}`);
  }
  if (retainHandling !== undefined && ![0, 1, 2].includes(retainHandling)) {
    throw new RangeError(`${where}: retainHandling must be 0, 1 or 2, got ${retainHandling}`);
  }
  if (bufferSize !== undefined && (!Number.isInteger(bufferSize) || bufferSize < 1)) {
    throw new RangeError(`${where}: bufferSize must be a positive integer, got ${bufferSize}`);
  }
  if (overflow !== undefined && !OVERFLOW_POLICIES.includes(overflow)) {
    throw new TypeError(`${where}: overflow must be one of ${OVERFLOW_POLICIES.join(", ")}`);
  }
  if (ack !== undefined && !ACK_MODES.includes(ack)) {
    throw new TypeError(`${where}: ack must be one of ${ACK_MODES.join(", ")}`);
  }
  if (handler !== undefined && typeof handler !== "function") {
    throw new TypeError(`${where}: handler must be a function`);
  }
  if (options.retry !== undefined && typeof options.retry?.nextDelay !== "function") {
    throw new TypeError(`${where}: retry must have a nextDelay method`);
  }
  // [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error.
  if (options.noLocal && topicFilter.startsWith(SHARE_PREFIX)) {
    throw new TypeError(`${where}: noLocal is not allowed on a shared subscription`);
  }
}
