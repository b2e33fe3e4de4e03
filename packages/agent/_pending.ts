import { TimeoutError } from "./errors.ts";
import type { Clock } from "./clock.ts";
import type { OperationResult } from "./session_types.ts";

/** What a caller's operation sends. */
export type OperationKind = "publish" | "subscribe" | "unsubscribe" | "ping";

/**
 * One caller waiting for an operation: its promise, and what settles it. A class rather
 * than closures, because the runner makes one per publish.
 */
export class Pending {
  /** Set once the operation's packet was written. */
  written = false;
  /** A completion that arrived before the bytes were written (QoS 0). */
  result?: OperationResult;
  /** Settles with the result (or undefined for "sent"), or rejects. */
  readonly promise: Promise<OperationResult | undefined>;
  #resolve!: (result: OperationResult | undefined) => void;
  #reject!: (error: Error) => void;
  #settled = false;
  #timer?: unknown;
  #clock?: Clock;
  #signal?: AbortSignal;
  #onAbort?: () => void;

  constructor(
    readonly id: number,
    readonly kind: OperationKind,
    /** Resolve when written ("sent") or when acknowledged ("ack"). */
    readonly wait: "sent" | "ack",
    /** QoS 0 publishes are lost, not resent, when their write fails. */
    readonly resendable: boolean,
    /** Removes the operation from the runner's table and the session's queue. */
    readonly forget: (pending: Pending, cancel: boolean) => void,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Gives up after `timeoutMs` of `clock` and when `signal` aborts. */
  watch(signal: AbortSignal | undefined, timeoutMs: number | undefined, clock: Clock): void {
    if (signal) {
      this.#signal = signal;
      this.#onAbort = () => this.#giveUp(signal.reason);
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    if (timeoutMs !== undefined) {
      this.#clock = clock;
      this.#timer = clock.setTimeout(
        () =>
          this.#giveUp(
            new TimeoutError(`Cannot complete ${this.kind}: no outcome within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
    }
  }

  resolve(result: OperationResult | undefined): void {
    if (this.#settle(false)) this.#resolve(result);
  }

  reject(error: Error): void {
    if (this.#settle(false)) this.#reject(error);
  }

  #giveUp(error: Error): void {
    if (this.#settle(true)) this.#reject(error);
  }

  #settle(cancel: boolean): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.forget(this, cancel);
    if (this.#timer !== undefined) this.#clock!.clearTimeout(this.#timer);
    if (this.#onAbort) this.#signal!.removeEventListener("abort", this.#onAbort);
    return true;
  }
}
