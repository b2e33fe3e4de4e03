import type { OverflowPolicy, RetryPolicy } from "@tern/subscriptions";
import type { QoS } from "@tern/codec";
import type { InboundMessage, SubscriptionResult } from "./session_types.ts";

/**
 * Options of {@linkcode MqttClient.subscribe}: the broker subscription's options, and how
 * this local subscriber takes its messages.
 *
 * @example A handler that may be slow without stalling the connection
 * ```ts
 * import type { LocalSubscribeOptions } from "@tern/agent";
 *
 * const options: LocalSubscribeOptions = {
 *   qos: 1,
 *   handler: async (message) => await Deno.writeTextFile("/dev/null", message.topic),
 *   bufferSize: 100,
 *   overflow: "drop-oldest",
 * };
 * console.log(options.qos);
 * ```
 */
export interface LocalSubscribeOptions {
  /** Maximum QoS to receive. Default 0. */
  qos?: QoS;
  /** MQTT 5: do not receive this client's own publications (not on `$share/...`). */
  noLocal?: boolean;
  /** MQTT 5: keep the RETAIN flag as published. */
  retainAsPublished?: boolean;
  /** MQTT 5: 0 send retained messages (default), 1 only for a new subscription, 2 never. */
  retainHandling?: 0 | 1 | 2;
  /**
   * Called for each message, in order per filter; the next call waits for the promise it
   * returns. Without a handler, iterate the subscription.
   */
  handler?: (message: InboundMessage) => void | Promise<void>;
  /** Messages per filter that may wait for the handler or the iterator. Default 1024. */
  bufferSize?: number;
  /** When a filter's buffer is full. Default `"drop-oldest"`. */
  overflow?: OverflowPolicy;
  /** Ends the subscription (unsubscribing), and rejects a waiting iteration with its reason. */
  signal?: AbortSignal;
  /**
   * Retries a SUBSCRIBE the broker refuses (a failure reason code) after the delay the
   * policy gives (a {@linkcode Backoff}, say), until granted, until the policy gives up
   * (`nextDelay` returns undefined: awaiting the subscription then gives the failure code),
   * or until the subscription ends. Each retry is a `subscriptionretry` event. The filters
   * of one subscription share the policy. Default: none, a refusal ends the subscription.
   */
  retry?: RetryPolicy;
}

/**
 * What {@linkcode MqttClient.subscribe} returns: one local subscriber to one or more
 * filters. Await it for the SUBACK outcome (one reason code per filter: the granted QoS or
 * a failure code), iterate it with `for await` (leaving the loop unsubscribes), or let its
 * handler run; `unsubscribe()` or disposal ends it. The broker subscription of a filter
 * is shared by every local subscriber of that filter and goes with the last one.
 *
 * Being awaitable, it is also what `await` and promise resolution unwrap: returning it
 * from an async function yields its SUBACK result. Keep it in a variable, an array or an
 * object instead (`Promise.all(subscriptions)` awaits all their SUBACKs).
 *
 * @example Iterate until a condition holds
 * ```ts ignore
 * import { MqttClient } from "@tern/agent";
 *
 * const client = new MqttClient({ url: "mqtt://127.0.0.1:1883" });
 * await client.start();
 * const alerts = client.subscribe("alerts/#", { qos: 1 });
 * console.log(await alerts); // { reasonCodes: [1] }
 * for await (const message of alerts) {
 *   if (message.topic === "alerts/stop") break; // unsubscribes
 * }
 * await client.stop();
 * ```
 */
export interface ClientSubscription
  extends
    PromiseLike<SubscriptionResult>,
    AsyncIterableIterator<InboundMessage, undefined>,
    AsyncDisposable {
  /** The filters, in the order given. */
  readonly topicFilters: readonly string[];
  /** Messages the overflow policy discarded, over all filters. */
  readonly dropped: number;
  /** Whether every filter's subscription has ended. */
  readonly closed: boolean;
  /**
   * The next message of any filter (in arrival order per filter). Done once every
   * filter's subscription has ended; rejects with an overflow error, a refusal, or the
   * client stopping.
   */
  next(): Promise<IteratorResult<InboundMessage, undefined>>;
  /** Ends the subscription without waiting for the broker (what leaving `for await` does). */
  return(): Promise<IteratorResult<InboundMessage, undefined>>;
  /** Ends the subscription; resolves once the broker side is done with its filters. */
  unsubscribe(): Promise<void>;
}
