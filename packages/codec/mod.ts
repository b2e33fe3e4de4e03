/**
 * `@tern/codec`: the MQTT 3.1.1 and 5.0 packet model, encoder and streaming decoder.
 *
 * The decoder's hot path (framing, validation, UTF-8 checks, MQTT 5 properties) is
 * AssemblyScript compiled to WebAssembly and embedded in this package.
 *
 * @example Encode and decode a packet
 * ```ts
 * import { Decoder, encode } from "@tern/codec";
 * import assert from "node:assert/strict";
 *
 * const bytes = encode({
 *   type: "subscribe",
 *   packetId: 1,
 *   subscriptions: [{ topicFilter: "sensors/+/temperature", qos: 1 }],
 * }, { version: 4 });
 * const [packet] = new Decoder({ version: 4 }).push(bytes);
 * assert.equal(packet.type, "subscribe");
 * ```
 *
 * @module
 */
export type * from "./packet.ts";
export * from "./reason_code.ts";
export * from "./errors.ts";
export {
  encode,
  encodeAll,
  encodeInto,
  type EncodeOptions,
  PacketWriter,
  type PacketWriterOptions,
} from "./encode.ts";
export { Decoder, type DecoderOptions, MAX_PACKET_SIZE } from "./decoder.ts";
export { MAX_VARIABLE_BYTE_INTEGER } from "./protocol_limits.ts";
export { codecWasmBytes } from "./wasm_module.ts";
