import type { Message, QoS } from "./message.ts";
import type { RetryPolicy, SubscriptionRetry } from "./retry.ts";

/**
 * What a subscription does with a message that arrives while its buffer is full:
 *
 * - `"drop-oldest"` (default): discard the oldest buffered message, keep the new one;
 * - `"drop-newest"`: discard the new message;
 * - `"error"`: end the subscription with a {@linkcode SubscriptionOverflowError} once the
 *   buffered messages have been consumed.
 *
 * Dropped messages are counted in {@linkcode LocalSubscription.dropped}.
 *
 * @example Keep the oldest messages of a burst
 * ```ts
 * import type { OverflowPolicy } from "@tern/subscriptions";
 *
 * const overflow: OverflowPolicy = "drop-newest";
 * console.log(overflow);
 * ```
 */
export type OverflowPolicy = "drop-oldest" | "drop-newest" | "error";

/**
 * Receives the messages of a subscription, one at a time.
 *
 * @example An async handler; the next message waits for it
 * ```ts
 * import type { MessageHandler } from "@tern/subscriptions";
 *
 * const handler: MessageHandler = async (message) => {
 *   await Promise.resolve();
 *   console.log(message.topic);
 * };
 * await handler({ topic: "a", payload: new Uint8Array(), qos: 0, retain: false });
 * ```
 */
export type MessageHandler<M extends Message = Message> = (message: M) => void | Promise<void>;

/**
 * Options for {@linkcode SubscriptionManager.subscribe}.
 *
 * @example A QoS 1 subscription with a small buffer that fails loudly
 * ```ts
 * import type { SubscribeOptions } from "@tern/subscriptions";
 *
 * const options: SubscribeOptions = { qos: 1, bufferSize: 16, overflow: "error" };
 * console.log(options.qos);
 * ```
 */
export interface SubscribeOptions<M extends Message = Message> {
  /** The maximum QoS to receive messages at. Default 0. */
  qos?: QoS;
  /** MQTT 5: do not receive this client's own publications. Not allowed on a shared subscription. */
  noLocal?: boolean;
  /** MQTT 5: keep the RETAIN flag as published. */
  retainAsPublished?: boolean;
  /** MQTT 5: 0 send retained messages on subscribe (default), 1 only if new, 2 never. */
  retainHandling?: 0 | 1 | 2;
  /**
   * Called for each message, in order; the next call waits for the promise it returns.
   * Without a handler, the subscription is consumed as an async iterator.
   */
  handler?: MessageHandler<M>;
  /** How many messages may wait for the handler or iterator. Default 1024. */
  bufferSize?: number;
  /** What to do when the buffer is full. Default `"drop-oldest"`. */
  overflow?: OverflowPolicy;
  /** Ends the subscription (and rejects a waiting `next()` with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Sends a SUBSCRIBE the broker refuses again after the delay the policy gives, until it is
   * granted (then `ready` resolves), the policy gives up (then `ready` rejects with the
   * refusal) or the subscription ends. Default: none, a refusal ends the subscription.
   */
  retry?: RetryPolicy;
  /** Called on every refusal that `retry` retries. */
  onRetry?: (retry: SubscriptionRetry) => void;
}

/**
 * One local subscriber: a handler or an async iterator fed by the shared broker
 * subscription for its filter. Leaving a `for await` loop, `unsubscribe()`, disposal or
 * the `signal` ends it; the broker subscription goes when its last local subscriber does.
 *
 * @typeParam M The message type the manager delivers.
 *
 * @example Consume messages until done
 * ```ts
 * import { type Message, SubscriptionManager } from "@tern/subscriptions";
 *
 * const manager = new SubscriptionManager({
 *   broker: { subscribe: (s) => Promise.resolve(s.qos), unsubscribe: () => Promise.resolve(0) },
 * });
 * const subscription = manager.subscribe("sensors/+/temperature", { qos: 1 });
 * await subscription.ready;
 * const payload = new TextEncoder().encode("21.5");
 * manager.dispatch({ topic: "sensors/1/temperature", payload, qos: 1, retain: false });
 * for await (const message of subscription) {
 *   console.log(message.topic);
 *   break; // unsubscribes
 * }
 * ```
 */
export interface LocalSubscription<M extends Message = Message>
  extends AsyncIterableIterator<M, undefined>, AsyncDisposable {
  /** The filter as given to `subscribe`. */
  readonly topicFilter: string;
  /** The QoS this subscriber asked for. */
  readonly qos: QoS;
  /**
   * Resolves with the QoS the broker granted to the shared broker subscription, once it
   * exists. Rejects with a {@linkcode SubscriptionRefusedError}, with the broker side's
   * error, or when the subscription ended first.
   */
  readonly ready: Promise<QoS>;
  /** How many messages the overflow policy discarded. */
  readonly dropped: number;
  /** Whether the subscription has ended (no more messages will be added). */
  readonly closed: boolean;
  /**
   * Ends the subscription and resolves once the broker subscription is gone (or still
   * serves other local subscribers). Rejects if the broker side fails the UNSUBSCRIBE.
   */
  unsubscribe(): Promise<void>;
}
