import type { SubscriptionRefusedError } from "./errors.ts";

/**
 * How long a subscription waits before sending a refused SUBSCRIBE again (the coreMQTT
 * mutual-auth demo's retry with backoff). `@tern/agent`'s `Backoff` satisfies it. One policy
 * keeps its own state (the attempt count): give each subscription its own.
 *
 * @example Retry three times, a second apart
 * ```ts
 * import type { RetryPolicy } from "@tern/subscriptions";
 *
 * let refusals = 0;
 * const retry: RetryPolicy = { nextDelay: () => (++refusals <= 3 ? 1000 : undefined) };
 * console.log(retry.nextDelay(0, new Error("refused"))); // 1000
 * ```
 */
export interface RetryPolicy {
  /** The broker granted the subscription at `now` (milliseconds): a Backoff resets later. */
  connected?(now: number): void;
  /** Milliseconds to wait after the refusal `error` at `now`, or undefined to give up. */
  nextDelay(now: number, error: Error): number | undefined;
}

/**
 * One refusal that will be retried, as `onRetry` receives it.
 *
 * @example Log each retry
 * ```ts
 * import type { SubscriptionRetry } from "@tern/subscriptions";
 *
 * const log = (retry: SubscriptionRetry) =>
 *   console.log(`${retry.topicFilter}: refused (${retry.error.reasonCode}), retry ${retry.attempt} in ${retry.delayMs} ms`);
 * console.log(typeof log);
 * ```
 */
export interface SubscriptionRetry {
  /** The filter the broker refused. */
  topicFilter: string;
  /** The refusal, with the SUBACK's reason code. */
  error: SubscriptionRefusedError;
  /** How many retries this makes, from 1. */
  attempt: number;
  /** Milliseconds until the SUBSCRIBE goes again. */
  delayMs: number;
}
