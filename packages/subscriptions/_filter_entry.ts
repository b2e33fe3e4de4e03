import type { BrokerSubscription } from "./broker.ts";
import type { Subscriber } from "./_subscriber.ts";
import type { Message, QoS } from "./message.ts";
import { matchedFilter } from "./_match.ts";

/** The options of a broker subscription, without its filter and identifier. */
export type BrokerOptions = Omit<BrokerSubscription, "topicFilter" | "subscriptionIdentifier">;

/**
 * One distinct filter: its local subscribers, what the broker has granted for it, and a
 * queue that runs its SUBSCRIBE and UNSUBSCRIBE calls one after another, so that a
 * subscribe racing an unsubscribe of the same filter reaches the broker in order.
 */
export class FilterEntry<M extends Message> {
  readonly topicFilter: string;
  /** The levels topics are matched against (a shared subscription's inner filter). */
  readonly levels: readonly string[];
  readonly subscriptionIdentifier: number;
  readonly subscribers: Set<Subscriber<M>> = new Set();
  /** What the broker acknowledged, while it has the subscription. */
  granted: { options: BrokerOptions; qos: QoS } | undefined;
  /** Queued or running broker calls. */
  pending = 0;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(topicFilter: string, subscriptionIdentifier: number) {
    this.topicFilter = topicFilter;
    this.levels = matchedFilter(topicFilter).split("/");
    this.subscriptionIdentifier = subscriptionIdentifier;
  }

  /**
   * Runs `task` after every task queued before it. With nothing queued it starts at once,
   * in the caller's turn, so the broker call is issued in call order with whatever the
   * caller does next (a publish right after subscribe() must leave after the SUBSCRIBE).
   */
  run<R>(task: () => Promise<R>): Promise<R> {
    const idle = this.pending === 0;
    this.pending++;
    const settle = async (): Promise<R> => {
      try {
        return await task();
      } finally {
        this.pending--;
      }
    };
    const result = idle ? settle() : this.#tail.then(settle);
    this.#tail = result.catch(() => {});
    return result;
  }

  /** The broker options that serve every current subscriber. */
  wanted(): BrokerOptions {
    let qos: QoS = 0;
    let noLocal = true;
    let retainAsPublished = false;
    let retainHandling: 0 | 1 | 2 = 2;
    for (const local of this.subscribers) {
      const options = local.brokerOptions;
      if (options.qos > qos) qos = options.qos;
      // The broker cannot filter per local subscriber: the most inclusive choice wins.
      noLocal &&= options.noLocal;
      retainAsPublished ||= options.retainAsPublished;
      if (options.retainHandling < retainHandling) retainHandling = options.retainHandling;
    }
    return { qos, noLocal, retainAsPublished, retainHandling };
  }

  /** Whether the granted subscription already serves `wanted` (no re-SUBSCRIBE needed). */
  covers(wanted: BrokerOptions): boolean {
    const granted = this.granted?.options;
    return granted !== undefined && wanted.qos <= granted.qos &&
      (!granted.noLocal || wanted.noLocal) &&
      (granted.retainAsPublished || !wanted.retainAsPublished);
  }

  /** Hands `message` to every subscriber; returns how many there were. */
  deliver(message: M): number {
    let count = 0;
    for (const local of this.subscribers) {
      local.deliver(message);
      count++;
    }
    return count;
  }
}
