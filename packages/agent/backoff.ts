/** How a reconnect delay is randomised, so that many clients losing the same broker spread out. */
export type Jitter =
  /** No randomness: the minimum delay doubled per failed attempt, up to the maximum. */
  | "none"
  /** Uniform between the minimum and twice the un-jittered delay, up to the maximum. */
  | "full"
  /** Uniform between the minimum and three times the previous delay, up to the maximum. */
  | "decorrelated";

/** Options for {@linkcode Backoff}. */
export interface BackoffOptions {
  /** The shortest delay before a reconnect attempt, in milliseconds. Default 1000. */
  minDelayMs?: number;
  /** The longest delay before a reconnect attempt, in milliseconds. Default 120000. */
  maxDelayMs?: number;
  /** How delays are randomised. Default `"full"`. */
  jitter?: Jitter;
  /**
   * How long a connection must stay up before the next loss starts again from the minimum
   * delay, in milliseconds. Default 30000. A connection that a broker accepts and then drops at
   * once keeps backing off instead of reconnecting in a tight loop.
   */
  resetAfterConnectedMs?: number;
  /** Source of randomness returning a number in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** The exponent stops growing here: 2 ** 64 times any sane minimum is far past any maximum. */
const MAX_EXPONENT = 64;

/**
 * The reconnect delay policy: exponential backoff with jitter, reset only after a connection
 * stayed up long enough.
 *
 * A pure state machine that never reads the clock: the runner passes the current time. Call
 * {@linkcode Backoff.connected} when a CONNACK accepts the connection, and
 * {@linkcode Backoff.nextDelay} after any failed attempt or lost connection to learn how long
 * to wait before the next attempt.
 *
 * With `jitter: "none"` attempt `n` (counting from 0) waits `min(max, min * 2 ** n)`; `"full"`
 * draws from `[min, min(max, min * 2 ** (n + 1))]`, so even the first retry of many clients
 * dropped together is spread over a window, and no delay is ever below the minimum;
 * `"decorrelated"` draws from `[min, min(max, 3 * previous)]`.
 *
 * @example Delays without jitter double up to the maximum
 * ```ts
 * import { Backoff } from "@tern/agent";
 *
 * const backoff = new Backoff({ minDelayMs: 1000, maxDelayMs: 5000, jitter: "none" });
 * const delays = [0, 1, 2, 3, 4].map(() => backoff.nextDelay(0));
 * console.log(delays); // [1000, 2000, 4000, 5000, 5000]
 * ```
 *
 * @example A connection must stay up before the delay resets
 * ```ts
 * import { Backoff } from "@tern/agent";
 *
 * const backoff = new Backoff({ jitter: "none", resetAfterConnectedMs: 30_000 });
 * backoff.nextDelay(0); // 1000
 * backoff.nextDelay(0); // 2000
 * backoff.connected(10_000);
 * console.log(backoff.nextDelay(15_000)); // 4000: up for only 5 s
 * backoff.connected(20_000);
 * console.log(backoff.nextDelay(50_000)); // 1000: up for 30 s
 * ```
 */
export class Backoff {
  readonly #min: number;
  readonly #max: number;
  readonly #jitter: Jitter;
  readonly #resetAfter: number;
  readonly #random: () => number;
  #attempt = 0;
  #previous: number;
  #connectedAt: number | undefined;

  /** Creates the policy; throws a RangeError or TypeError naming a bad option. */
  constructor(options: BackoffOptions = {}) {
    const {
      minDelayMs = 1000,
      maxDelayMs = 120_000,
      jitter = "full",
      resetAfterConnectedMs = 30_000,
      random = Math.random,
    } = options;
    checkDuration("minDelayMs", minDelayMs);
    checkDuration("maxDelayMs", maxDelayMs);
    checkDuration("resetAfterConnectedMs", resetAfterConnectedMs);
    if (maxDelayMs < minDelayMs) {
      throw new RangeError(
        `Cannot create backoff: maxDelayMs (${maxDelayMs}) is below minDelayMs (${minDelayMs})`,
      );
    }
    if (jitter !== "none" && jitter !== "full" && jitter !== "decorrelated") {
      throw new TypeError(
        `Cannot create backoff: jitter must be "none", "full" or "decorrelated", got ${
          String(jitter)
        }`,
      );
    }
    if (typeof random !== "function") {
      throw new TypeError("Cannot create backoff: random must be a function");
    }
    this.#min = minDelayMs;
    this.#max = maxDelayMs;
    this.#jitter = jitter;
    this.#resetAfter = resetAfterConnectedMs;
    this.#random = random;
    this.#previous = minDelayMs;
  }

  /** How many delays were handed out since the last reset: the number of the next attempt. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Records that a connection was accepted at `now` (milliseconds on the runner's clock). */
  connected(now: number): void {
    checkTime("connected", now);
    this.#connectedAt = now;
  }

  /**
   * The delay in milliseconds before the next connect attempt, after an attempt failed or a
   * connection was lost at `now`. Starts again from the minimum when the last connection had
   * stayed up for `resetAfterConnectedMs`.
   */
  nextDelay(now: number): number {
    checkTime("nextDelay", now);
    if (this.#connectedAt !== undefined && now - this.#connectedAt >= this.#resetAfter) {
      this.reset();
    }
    this.#connectedAt = undefined;
    const exponent = Math.min(this.#attempt, MAX_EXPONENT);
    this.#attempt++;
    let delay: number;
    switch (this.#jitter) {
      case "none":
        delay = Math.min(this.#max, this.#min * 2 ** exponent);
        break;
      case "full":
        delay = this.#between(this.#min, Math.min(this.#max, this.#min * 2 ** (exponent + 1)));
        break;
      case "decorrelated":
        delay = this.#between(this.#min, Math.min(this.#max, this.#previous * 3));
        break;
    }
    this.#previous = delay;
    return delay;
  }

  /** Starts again from the minimum delay, as after a stable connection. */
  reset(): void {
    this.#attempt = 0;
    this.#previous = this.#min;
  }

  #between(low: number, high: number): number {
    const r = this.#random();
    if (typeof r !== "number" || !(r >= 0 && r < 1)) {
      throw new RangeError(`Cannot compute backoff delay: random() returned ${r}, not in [0, 1)`);
    }
    return Math.round(low + r * (high - low));
  }
}

function checkDuration(name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Cannot create backoff: ${name} must be a finite number of milliseconds >= 0, got ${
        String(value)
      }`,
    );
  }
}

function checkTime(method: string, now: unknown): void {
  if (typeof now !== "number" || !Number.isFinite(now)) {
    throw new TypeError(`Cannot call ${method}(): now must be a finite number, got ${String(now)}`);
  }
}
