/**
 * The largest value of an MQTT Variable Byte Integer (four bytes of seven bits): a packet's
 * Remaining Length, a Subscription Identifier, a property block's length.
 *
 * @example Check a subscription identifier
 * ```ts
 * import { MAX_VARIABLE_BYTE_INTEGER } from "@tern/codec";
 *
 * const id = 42;
 * console.log(id >= 1 && id <= MAX_VARIABLE_BYTE_INTEGER); // true
 * console.log(MAX_VARIABLE_BYTE_INTEGER); // 268435455
 * ```
 */
export const MAX_VARIABLE_BYTE_INTEGER = 268_435_455;
