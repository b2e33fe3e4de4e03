import { type LocalSubscription, SubscriptionRefusedError } from "@tern/subscriptions";
import type { ClientSubscription } from "./client_subscription.ts";
import type { InboundMessage, SubscriptionResult } from "./session_types.ts";

type Outcome =
  | { index: number; result: IteratorResult<InboundMessage, undefined> }
  | { index: number; error: unknown };

/** {@linkcode ClientSubscription} over one manager subscription per filter. */
export class LocalFilters implements ClientSubscription {
  /** The filters, in the order given. */
  readonly topicFilters: readonly string[];
  #locals: LocalSubscription<InboundMessage>[];
  #result: Promise<SubscriptionResult>;
  /** One outstanding `next()` per filter still open, so buffers stay in the filters' queues. */
  #pending = new Map<number, Promise<Outcome>>();
  /** Filters whose iteration is done (a closed one may still have buffered messages or an error). */
  #finished = new Set<number>();

  /** Without a handler: a subscription with one is not iterated (and stays subscribed). */
  #iterable: boolean;

  /** Made by {@linkcode MqttClient.subscribe}; not meant to be constructed directly. */
  constructor(
    topicFilters: string[],
    locals: LocalSubscription<InboundMessage>[],
    iterable: boolean,
  ) {
    this.topicFilters = topicFilters;
    this.#iterable = iterable;
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
    if (!this.#iterable) {
      throw new TypeError(
        `Cannot iterate the subscription to "${this.topicFilters.join('", "')}": it has a handler`,
      );
    }
    this.#locals.forEach((local, index) => {
      if (!this.#pending.has(index) && !this.#finished.has(index)) {
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
      this.#finished.add(outcome.index);
    }
    return { done: true, value: undefined };
  }

  /** Ends the subscription without waiting for the broker (what leaving `for await` does). */
  return(): Promise<IteratorResult<InboundMessage, undefined>> {
    for (const local of this.#locals) void local.return!();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** The subscription is its own iterator: `for await (const message of subscription)`. */
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
