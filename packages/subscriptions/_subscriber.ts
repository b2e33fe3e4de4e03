import { quote } from "./_describe.ts";
import { RingBuffer } from "./_ring_buffer.ts";
import { SubscriptionOverflowError } from "./errors.ts";
import type {
  LocalSubscription,
  MessageHandler,
  OverflowPolicy,
  SubscribeOptions,
} from "./local_subscription.ts";
import type { Message, QoS } from "./message.ts";
import type { BrokerOptions } from "./_filter_entry.ts";

/** What a subscription needs from its manager. */
export interface SubscriberHooks<M extends Message> {
  /** Detaches the subscriber; resolves when the broker side is done. */
  release(subscriber: Subscriber<M>): Promise<void>;
  /** Reports an error nobody awaits (a throwing handler, a failed background UNSUBSCRIBE). */
  reportError(error: unknown): void;
}

interface Waiter<M> {
  resolve(result: IteratorResult<M, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never, undefined> = { done: true, value: undefined };

/** The implementation of {@linkcode LocalSubscription}: a bounded queue with two consumers. */
export class Subscriber<M extends Message> implements LocalSubscription<M> {
  readonly topicFilter: string;
  readonly qos: QoS;
  readonly ready: Promise<QoS>;
  /** What this subscriber asks of the broker subscription it shares. */
  readonly brokerOptions: BrokerOptions;
  #settleReady: { resolve(qos: QoS): void; reject(error: unknown): void } | undefined;
  #hooks: SubscriberHooks<M>;
  #buffer: RingBuffer<M>;
  #capacity: number;
  #overflow: OverflowPolicy;
  #handler: MessageHandler<M> | undefined;
  #signal: AbortSignal | undefined;
  #onAbort = () => this.#end({ error: this.#signal!.reason, drain: false });
  #waiters: Waiter<M>[] = [];
  #pumping = false;
  #closed = false;
  /** The error to throw from `next()` (or report) once the buffer is empty. */
  #pendingError: { error: unknown; report: boolean } | undefined;
  #released: Promise<void> | undefined;
  #dropped = 0;

  constructor(topicFilter: string, options: SubscribeOptions<M>, hooks: SubscriberHooks<M>) {
    this.topicFilter = topicFilter;
    this.qos = options.qos ?? 0;
    this.brokerOptions = {
      qos: this.qos,
      noLocal: options.noLocal ?? false,
      retainAsPublished: options.retainAsPublished ?? false,
      retainHandling: options.retainHandling ?? 0,
    };
    this.#hooks = hooks;
    this.#capacity = options.bufferSize ?? 1024;
    this.#buffer = new RingBuffer(this.#capacity);
    this.#overflow = options.overflow ?? "drop-oldest";
    this.#handler = options.handler;
    this.ready = new Promise<QoS>((resolve, reject) => this.#settleReady = { resolve, reject });
    // Nobody has to await `ready`: a refusal also ends the iterator.
    this.ready.catch(() => {});
    this.#signal = options.signal;
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  get dropped(): number {
    return this.#dropped;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called by the manager when the broker subscription serving this subscriber exists. */
  acknowledged(qos: QoS): void {
    this.#settleReady?.resolve(qos);
    this.#settleReady = undefined;
  }

  /** Called by the manager when the broker refused or the broker side failed. */
  refused(error: unknown): void {
    this.#settleReady?.reject(error);
    this.#settleReady = undefined;
    this.#end({ error, drain: false });
  }

  /** Adds a message; never calls user code and never waits. */
  deliver(message: M): void {
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter) return waiter.resolve({ done: false, value: message });
    if (this.#buffer.full) {
      this.#dropped++;
      if (this.#overflow === "drop-newest") return;
      if (this.#overflow === "error") {
        const error = new SubscriptionOverflowError(
          `Subscription to ${
            quote(this.topicFilter)
          } overflowed: ${this.#capacity} messages buffered`,
        );
        return this.#end({ error, drain: true, report: this.#handler !== undefined });
      }
      this.#buffer.shift();
    }
    this.#buffer.push(message);
    if (this.#handler && !this.#pumping) {
      this.#pumping = true;
      queueMicrotask(() => this.#pump());
    }
  }

  next(): Promise<IteratorResult<M, undefined>> {
    if (this.#handler) {
      return Promise.reject(
        new TypeError(
          `Cannot iterate subscription to ${quote(this.topicFilter)}: it has a handler`,
        ),
      );
    }
    const message = this.#buffer.shift();
    if (message !== undefined) return Promise.resolve({ done: false, value: message });
    if (this.#closed) {
      const pending = this.#pendingError;
      this.#pendingError = undefined;
      return pending ? Promise.reject(pending.error) : Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<M, undefined>> {
    this.#end({ drain: false });
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  unsubscribe(): Promise<void> {
    this.#end({ drain: false, background: false });
    return this.#released!;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.unsubscribe();
  }

  /**
   * Ends the subscription once: stops deliveries, releases the broker side, and settles
   * whoever waits. `drain` keeps buffered messages for the consumer; `report` sends the
   * error to the manager's `onError` (for a handler, which has nobody to throw to).
   */
  #end(
    options: { error?: unknown; drain: boolean; report?: boolean; background?: boolean },
  ): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#settleReady?.reject(
      options.error ??
        new Error(
          `Subscription to ${quote(this.topicFilter)} ended before the broker acknowledged it`,
        ),
    );
    this.#settleReady = undefined;
    if (!options.drain) this.#buffer.clear();
    if ("error" in options) this.#pendingError = { error: options.error, report: !!options.report };
    const waiters = this.#waiters.splice(0);
    for (const waiter of waiters) {
      const pending = this.#pendingError;
      this.#pendingError = undefined;
      if (pending) waiter.reject(pending.error);
      else waiter.resolve(DONE);
    }
    // Deferred: #end may run inside dispatch(), which never calls user code.
    if (this.#handler && !this.#pumping) queueMicrotask(() => this.#reportPending());
    this.#released = this.#hooks.release(this);
    if (options.background !== false) this.#released.catch((e) => this.#hooks.reportError(e));
  }

  async #pump(): Promise<void> {
    for (let message = this.#buffer.shift(); message; message = this.#buffer.shift()) {
      try {
        await this.#handler!(message);
      } catch (error) {
        this.#hooks.reportError(error);
      }
    }
    this.#pumping = false;
    if (this.#closed) this.#reportPending();
  }

  #reportPending(): void {
    const pending = this.#pendingError;
    this.#pendingError = undefined;
    if (pending?.report) this.#hooks.reportError(pending.error);
  }
}
