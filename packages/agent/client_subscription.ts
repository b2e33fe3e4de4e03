import {
  type LocalSubscription,
  type MessageHandler,
  type OverflowPolicy,
  SubscriptionRefusedError,
} from "@tern/subscriptions";
import type { QoS } from "@tern/codec";
import type { InboundMessage, SubscriptionResult } from "./session_types.ts";

type Outcome =
  | { index: number; result: IteratorResult<InboundMessage, undefined> }
  | { index: number; error: unknown };

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
  handler?: MessageHandler<InboundMessage>;
  /** Messages per filter that may wait for the handler or the iterator. Default 1024. */
  bufferSize?: number;
  /** When a filter's buffer is full. Default `"drop-oldest"`. */
  overflow?: OverflowPolicy;
  /** Ends the subscription (unsubscribing), and rejects a waiting iteration with its reason. */
  signal?: AbortSignal;
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
export class ClientSubscription
  implements
    PromiseLike<SubscriptionResult>,
    AsyncIterableIterator<InboundMessage, undefined>,
    AsyncDisposable {
  /** The filters, in the order given. */
  readonly topicFilters: readonly string[];
  #locals: LocalSubscription<InboundMessage>[];
  #result: Promise<SubscriptionResult>;
  /** One outstanding `next()` per filter still open, so buffers stay in the filters' queues. */
  #pending = new Map<number, Promise<Outcome>>();

  /** Made by {@linkcode MqttClient.subscribe}; not meant to be constructed directly. */
  constructor(topicFilters: string[], locals: LocalSubscription<InboundMessage>[]) {
    this.topicFilters = topicFilters;
    this.#locals = locals;
    this.#result = Promise.all(locals.map((local) =>
      local.ready.then(
        (qos): number => qos,
        (error) => {
          if (error instanceof SubscriptionRefusedError) return error.reasonCode;
          throw error;
        },
      )
    )).then((reasonCodes) => ({ reasonCodes }));
    // Nobody has to await the result: an iterator sees a failure on its own.
    this.#result.catch(() => {});
  }

  /** Messages the overflow policy discarded, over all filters. */
  get dropped(): number {
    return this.#locals.reduce((sum, local) => sum + local.dropped, 0);
  }

  /** Whether every filter's subscription has ended. */
  get closed(): boolean {
    return this.#locals.every((local) => local.closed);
  }

  /** Resolves with one reason code per filter once every SUBACK arrived. */
  then<R1 = SubscriptionResult, R2 = never>(
    onfulfilled?: ((value: SubscriptionResult) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#result.then(onfulfilled, onrejected);
  }

  /**
   * The next message of any filter (in arrival order per filter). Done once every
   * filter's subscription has ended; rejects with an overflow error, a refusal, or the
   * client stopping.
   */
  async next(): Promise<IteratorResult<InboundMessage, undefined>> {
    this.#locals.forEach((local, index) => {
      if (!this.#pending.has(index) && !local.closed) {
        this.#pending.set(
          index,
          local.next().then((result) => ({ index, result }), (error) => ({ index, error })),
        );
      }
    });
    while (this.#pending.size > 0) {
      const outcome = await Promise.race(this.#pending.values());
      this.#pending.delete(outcome.index);
      if ("error" in outcome) {
        // A thrown next() ends a for-await loop without return(): end every filter here.
        await this.return();
        throw outcome.error;
      }
      if (!outcome.result.done) return outcome.result;
    }
    return { done: true, value: undefined };
  }

  /** Ends the subscription without waiting for the broker (what leaving `for await` does). */
  return(): Promise<IteratorResult<InboundMessage, undefined>> {
    for (const local of this.#locals) void local.return!();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the subscription; resolves once the broker side is done with its filters. */
  async unsubscribe(): Promise<void> {
    await Promise.all(this.#locals.map((local) => local.unsubscribe()));
  }

  /** Same as {@linkcode unsubscribe}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.unsubscribe();
  }
}
