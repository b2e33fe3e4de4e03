import { quote } from "./_describe.ts";
import { RingBuffer } from "./_ring_buffer.ts";
import { Held, type Receipt } from "./_receipt.ts";
import { SubscriptionOverflowError } from "./errors.ts";
import type {
  AckMode,
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
  /**
   * Reports an error nobody awaits (a throwing handler with the message it was given, a
   * failed background UNSUBSCRIBE).
   */
  reportError(error: unknown, message?: M): void;
  /** A QoS 0 message (or one dispatched without flow control) was dropped by `overflow`. */
  dropped(message: M): void;
}

/** A buffered message: bare, or held while its acknowledgement waits for this subscription. */
type Item<M> = M | Held<M>;

function messageOf<M>(item: Item<M>): M {
  return item instanceof Held ? item.message : item;
}

interface Waiter<M> {
  resolve(result: IteratorResult<M, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never, undefined> = { done: true, value: undefined };

const noop = () => {};

/** The implementation of {@linkcode LocalSubscription}: a bounded queue with two consumers. */
export class Subscriber<M extends Message> implements LocalSubscription<M> {
  readonly topicFilter: string;
  readonly qos: QoS;
  readonly ready: Promise<QoS>;
  /** What this subscriber asks of the broker subscription it shares. */
  readonly brokerOptions: BrokerOptions;
  #settleReady: { resolve(qos: QoS): void; reject(error: unknown): void } | undefined;
  #hooks: SubscriberHooks<M>;
  #buffer: RingBuffer<Item<M>>;
  #capacity: number;
  #overflow: OverflowPolicy;
  #ack: AckMode;
  /** "handled": the message the handler or the loop body has now, held until it is done. */
  #current: Held<M> | undefined;
  /** "manual": messages handed over and not yet acked, released if the subscription ends. */
  #unacked: Set<Held<M>> | undefined;
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
    this.#ack = options.ack ?? "buffered";
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

  /**
   * Adds a message; never calls user code and never waits. With a `receipt` (a QoS 1 / 2
   * message under flow control) the message is never dropped: this subscription holds the
   * receipt until it takes the message, per its `ack` mode.
   */
  deliver(message: M, receipt?: Receipt): void {
    if (this.#closed) return;
    if (receipt === undefined) {
      if (this.#ack === "manual") message = { ...message, ack: noop };
      return this.#deliverUnpaced(message);
    }
    let held: Held<M>;
    if (this.#ack === "manual") {
      const copy: M = { ...message };
      held = new Held(copy, receipt);
      const unacked = this.#unacked ??= new Set();
      unacked.add(held);
      copy.ack = () => {
        unacked.delete(held);
        held.release();
      };
    } else {
      held = new Held(message, receipt);
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#handOver(held);
      return waiter.resolve({ done: false, value: held.message });
    }
    this.#buffer.push(held);
    // "buffered": taken once inside the buffer; past `bufferSize` it waits for room.
    if (this.#ack === "buffered" && this.#buffer.length <= this.#capacity) held.release();
    this.#schedule();
  }

  /** A message without flow control: the overflow policy applies when the buffer is full. */
  #deliverUnpaced(message: M): void {
    const waiter = this.#waiters.shift();
    if (waiter) return waiter.resolve({ done: false, value: message });
    if (this.#buffer.length >= this.#capacity) {
      this.#dropped++;
      if (this.#overflow === "error") {
        this.#hooks.dropped(message);
        const error = new SubscriptionOverflowError(
          `Subscription to ${
            quote(this.topicFilter)
          } overflowed: ${this.#capacity} messages buffered`,
        );
        return this.#end({ error, drain: true, report: this.#handler !== undefined });
      }
      // Only messages without an acknowledgement riding on them may go.
      const oldest = this.#overflow === "drop-oldest"
        ? this.#buffer.findIndex((item) => !(item instanceof Held))
        : -1;
      if (oldest < 0) return this.#hooks.dropped(message);
      this.#hooks.dropped(messageOf(this.#buffer.at(oldest)!));
      this.#buffer.removeAt(oldest);
      this.#admit();
    }
    this.#buffer.push(message);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#handler && !this.#pumping) {
      this.#pumping = true;
      queueMicrotask(() => this.#pump());
    }
  }

  /** Takes the front of the buffer: what the handler or the iterator gets next. */
  #take(): Item<M> | undefined {
    const item = this.#buffer.shift();
    if (item !== undefined) this.#admit();
    return item;
  }

  /** "buffered": the message that just moved inside `bufferSize` is taken now. */
  #admit(): void {
    if (this.#ack !== "buffered") return;
    const inside = this.#buffer.at(this.#capacity - 1);
    if (inside instanceof Held) inside.release();
  }

  /** The consumer got `item`: "buffered" takes it now, "handled" once the consumer is done. */
  #handOver(item: Item<M>): void {
    if (!(item instanceof Held)) return;
    if (this.#ack === "buffered") item.release();
    else if (this.#ack === "handled") this.#current = item;
  }

  /** "handled": the consumer finished with the message it had. */
  #done(): void {
    const current = this.#current;
    this.#current = undefined;
    current?.release();
  }

  next(): Promise<IteratorResult<M, undefined>> {
    if (this.#handler) {
      return Promise.reject(
        new TypeError(
          `Cannot iterate subscription to ${quote(this.topicFilter)}: it has a handler`,
        ),
      );
    }
    // Asking for the next message means the loop body is done with the last one.
    this.#done();
    const item = this.#take();
    if (item !== undefined) {
      this.#handOver(item);
      return Promise.resolve({ done: false, value: messageOf(item) });
    }
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
    // Nothing more is taken from here: what this subscription held is released, so that
    // the client acknowledges it rather than hold the server's flow forever.
    this.#done();
    for (const held of this.#unacked ?? []) held.release();
    this.#unacked = undefined;
    for (let i = 0; i < this.#buffer.length; i++) {
      const item = this.#buffer.at(i);
      if (item instanceof Held) item.release();
    }
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
    for (let item = this.#take(); item !== undefined; item = this.#take()) {
      this.#handOver(item);
      const message = messageOf(item);
      try {
        await this.#handler!(message);
      } catch (error) {
        // The message counts as delivered: the handler had it.
        this.#hooks.reportError(error, message);
      }
      this.#done();
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
