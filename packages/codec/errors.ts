import { reasonCodeName } from "./reason_code.ts";

/** Options for {@linkcode MalformedPacketError} and {@linkcode ProtocolError}. */
export interface PacketErrorOptions {
  /** The MQTT 5 reason code a DISCONNECT should carry for this error. */
  reasonCode?: number;
  /** Byte offset within the packet (or stream) where the problem was found. */
  offset?: number;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Bytes that do not form a valid MQTT packet (reason code 0x81 Malformed Packet,
 * or 0x95 Packet Too Large).
 *
 * @example Catch a malformed packet
 * ```ts
 * import { MalformedPacketError } from "@tern/codec";
 *
 * const error = new MalformedPacketError("Cannot decode PUBLISH: topic is not valid UTF-8", { offset: 4 });
 * console.log(error.reasonCode); // 129
 * ```
 */
export class MalformedPacketError extends Error {
  /** The MQTT 5 reason code: 0x81 unless the packet was too large (0x95). */
  readonly reasonCode: number;
  /** Byte offset where the problem was found, when known. */
  readonly offset?: number;

  /** Creates the error; the reason code defaults to 0x81 Malformed Packet. */
  constructor(message: string, options: PacketErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "MalformedPacketError";
    this.reasonCode = options.reasonCode ?? 0x81;
    this.offset = options.offset;
  }
}

/**
 * A well-formed packet that breaks a protocol rule (reason code 0x82 Protocol Error,
 * or a more specific one such as 0x94 Topic Alias Invalid).
 *
 * @example Report a protocol error
 * ```ts
 * import { ProtocolError } from "@tern/codec";
 *
 * const error = new ProtocolError("Unexpected PUBACK: no publish in flight with packet id 7");
 * console.log(error.reasonCode); // 130
 * ```
 */
export class ProtocolError extends Error {
  /** The MQTT 5 reason code, 0x82 unless a more specific one applies. */
  readonly reasonCode: number;
  /** Byte offset where the problem was found, when known. */
  readonly offset?: number;

  /** Creates the error; the reason code defaults to 0x82 Protocol Error. */
  constructor(message: string, options: PacketErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "ProtocolError";
    this.reasonCode = options.reasonCode ?? 0x82;
    this.offset = options.offset;
  }

  /** The reason code's specification name, e.g. "ProtocolError". */
  get reasonName(): string {
    return reasonCodeName(this.reasonCode);
  }
}
