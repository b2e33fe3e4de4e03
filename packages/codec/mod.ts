/**
 * `@tern/codec`: the MQTT 3.1.1 and 5.0 packet model, encoder and streaming decoder.
 *
 * @example Name a reason code
 * ```ts
 * import { reasonCodeName } from "@tern/codec";
 *
 * console.log(reasonCodeName(0x87)); // "NotAuthorized"
 * ```
 *
 * @module
 */
export type * from "./packet.ts";
export * from "./reason_code.ts";
export * from "./errors.ts";
