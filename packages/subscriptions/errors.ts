/**
 * The broker answered SUBSCRIBE or UNSUBSCRIBE with a failure reason code
 * (0x80 or above), such as 0x87 Not authorized or 0x8F Topic Filter invalid.
 *
 * @example Tell a refusal from a lost connection
 * ```ts
 * import { SubscriptionRefusedError } from "@tern/subscriptions";
 *
 * const error = new SubscriptionRefusedError('Cannot subscribe to "a/#": refused', {
 *   reasonCode: 0x87,
 * });
 * console.log(error instanceof SubscriptionRefusedError, error.reasonCode); // true 135
 * ```
 */
export class SubscriptionRefusedError extends Error {
  /** The SUBACK or UNSUBACK reason code. */
  readonly reasonCode: number;

  /** Creates the error with the broker's reason code. */
  constructor(message: string, options: { reasonCode: number }) {
    super(message);
    this.name = "SubscriptionRefusedError";
    this.reasonCode = options.reasonCode;
  }
}

/**
 * A subscription with the overflow policy `"error"` received a message while its buffer
 * was full; the subscription has ended.
 *
 * @example Recognise an overflow
 * ```ts
 * import { SubscriptionOverflowError } from "@tern/subscriptions";
 *
 * const error = new SubscriptionOverflowError('Subscription to "a/#" overflowed: 16 messages buffered');
 * console.log(error.name); // SubscriptionOverflowError
 * ```
 */
export class SubscriptionOverflowError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "SubscriptionOverflowError";
  }
}
