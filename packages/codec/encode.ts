/**
 * Encoding packets, one at a time or many into one buffer.
 *
 * @module
 */
import type { Packet, ProtocolVersion } from "./packet.ts";
import { measurePacket, packetSize, writePacket } from "./_encoder.ts";

/**
 * Options for {@linkcode encode}, {@linkcode encodeAll} and {@linkcode PacketWriter}.
 *
 * @example Encode for MQTT 3.1.1
 * ```ts
 * import { encode, type EncodeOptions } from "@tern/codec";
 *
 * const options: EncodeOptions = { version: 4 };
 * console.log(encode({ type: "pingreq" }, options)); // Uint8Array(2) [ 192, 0 ]
 * ```
 */
export interface EncodeOptions {
  /** 4 for MQTT 3.1.1, 5 for MQTT 5.0. MQTT 5-only fields are left out for 4. */
  version: ProtocolVersion;
}

function checkVersion(version: unknown): ProtocolVersion {
  if (version !== 4 && version !== 5) {
    throw new RangeError(
      `Cannot encode: protocol version must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0), got ${version}`,
    );
  }
  return version;
}

/**
 * Encodes one packet.
 *
 * Everything is validated before a byte is written: a TypeError or RangeError names the
 * packet, the field and what is wrong (a wildcard in a topic name, U+0000 or an unpaired
 * surrogate in a string, a string over 65,535 bytes, packet identifier 0, a packet over
 * 268,435,455 bytes, ...). For MQTT 3.1.1, properties and other MQTT 5-only fields are
 * ignored. PUBACK, PUBREC, PUBREL and PUBCOMP are written in their shortest form (§3.4.2.1);
 * MQTT 5 DISCONNECT and AUTH always carry their reason code and property length.
 *
 * Packets up to 4 KiB are views into a shared 64 KiB buffer (as Node's `Buffer` pools
 * small allocations): `bytes.buffer` is larger than the packet; the bytes themselves are
 * never reused.
 *
 * @example Encode a PUBACK
 * ```ts
 * import { encode } from "@tern/codec";
 * import assert from "node:assert/strict";
 *
 * const bytes = encode({ type: "puback", packetId: 7 }, { version: 4 });
 * assert.deepEqual([...bytes], [0x40, 0x02, 0x00, 0x07]);
 * ```
 */
export function encode(packet: Packet, options: EncodeOptions): Uint8Array {
  const version = checkVersion(options?.version);
  const size = packetSize(measurePacket(packet, version));
  const bytes = allocate(size);
  writePacket(packet, version, bytes, 0);
  return bytes;
}

/**
 * Encodes `packet` into `target` at `offset` when it fits, and returns its size in bytes
 * either way: a result larger than `target.length - offset` means nothing was written, and
 * the caller can make room and call again. Saves the allocation and the copy of
 * {@linkcode encode} for a caller that batches packets in a buffer of its own.
 *
 * @throws {TypeError | RangeError} The packet is not valid; nothing was written.
 *
 * @example Encode into a buffer you own
 * ```ts
 * import { encodeInto } from "@tern/codec";
 * import assert from "node:assert/strict";
 *
 * const buffer = new Uint8Array(8);
 * const size = encodeInto({ type: "puback", packetId: 7 }, { version: 4 }, buffer, 2);
 * assert.equal(size, 4);
 * assert.deepEqual([...buffer.subarray(2, 6)], [0x40, 0x02, 0x00, 0x07]);
 * assert.equal(encodeInto({ type: "pingreq" }, { version: 4 }, buffer, 7), 2); // did not fit
 * assert.deepEqual([...buffer.subarray(6)], [0, 0]);
 * ```
 */
// The hot path of every batched write: an options object per call for `target` and
// `offset` would be an allocation per packet, the cost this function exists to save.
// deno-lint-ignore tern/exported-function-args-maximum
export function encodeInto(
  packet: Packet,
  options: EncodeOptions,
  target: Uint8Array,
  offset: number,
): number {
  const version = checkVersion(options?.version);
  if (!Number.isInteger(offset) || offset < 0 || offset > target.length) {
    throw new RangeError(
      `Cannot encode into the buffer: offset must be an integer from 0 to ${target.length}, got ${offset}`,
    );
  }
  const size = packetSize(measurePacket(packet, version));
  if (size <= target.length - offset) writePacket(packet, version, target, offset);
  return size;
}

// Small packets are carved from a shared slab: in Deno a new small Uint8Array (its own
// ArrayBuffer) costs more than encoding a PUBLISH. Views are never handed out twice.
const SLAB_SIZE = 64 * 1024;
const SLAB_LIMIT = 4096;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

function allocate(size: number): Uint8Array {
  if (size > SLAB_LIMIT) return new Uint8Array(size);
  if (slabUsed + size > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab.buffer, slabUsed, size);
  // Keep views 8-byte aligned, as a fresh allocation would be.
  slabUsed += (size + 7) & ~7;
  return bytes;
}

/**
 * Encodes many packets into one buffer, ready for a single write.
 *
 * @example Encode a batch
 * ```ts
 * import { encodeAll } from "@tern/codec";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeAll([{ type: "pingreq" }, { type: "pingreq" }], { version: 5 });
 * assert.deepEqual([...bytes], [0xc0, 0x00, 0xc0, 0x00]);
 * ```
 */
export function encodeAll(packets: Iterable<Packet>, options: EncodeOptions): Uint8Array {
  const writer = new PacketWriter(options);
  for (const packet of packets) writer.write(packet);
  return writer.take();
}

/**
 * Options for {@linkcode PacketWriter}.
 *
 * @example A writer with small buffers
 * ```ts
 * import { PacketWriter, type PacketWriterOptions } from "@tern/codec";
 *
 * const options: PacketWriterOptions = { version: 5, bufferSize: 1024 };
 * const writer = new PacketWriter(options);
 * writer.write({ type: "pingreq" });
 * console.log(writer.take().length); // 2
 * ```
 */
export interface PacketWriterOptions extends EncodeOptions {
  /** Bytes to allocate up front and whenever the buffer runs out. Default: 65,536. */
  bufferSize?: number;
}

/**
 * Encodes packets back to back into a growing buffer: the agent's write path appends
 * every packet queued since the last write, then takes them as one `Uint8Array` and
 * writes it with one call and no copy.
 *
 * A taken view stays valid: later packets go after it in the same buffer, or into a new
 * buffer once that one is full. A packet that fails validation writes nothing.
 *
 * @example Batch packets for one write
 * ```ts
 * import { PacketWriter } from "@tern/codec";
 * import assert from "node:assert/strict";
 *
 * const writer = new PacketWriter({ version: 5 });
 * writer.write({ type: "puback", packetId: 1 });
 * writer.write({ type: "puback", packetId: 2 });
 * assert.equal(writer.length, 8);
 * const bytes = writer.take(); // e.g. await connection.write(bytes)
 * assert.equal(bytes.length, 8);
 * assert.equal(writer.length, 0);
 * ```
 */
export class PacketWriter {
  #version: ProtocolVersion;
  #bufferSize: number;
  #buffer: Uint8Array;
  #start = 0;
  #end = 0;

  /** Creates a writer for one protocol version. */
  constructor(options: PacketWriterOptions) {
    this.#version = checkVersion(options?.version);
    const size = options.bufferSize ?? 65536;
    if (!Number.isInteger(size) || size < 16) {
      throw new RangeError(
        `Cannot create PacketWriter: bufferSize must be an integer of at least 16, got ${size}`,
      );
    }
    this.#bufferSize = size;
    this.#buffer = new Uint8Array(size);
  }

  /** The protocol version packets are encoded for; set it once CONNACK settles it. */
  get version(): ProtocolVersion {
    return this.#version;
  }

  set version(version: ProtocolVersion) {
    this.#version = checkVersion(version);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.#end - this.#start;
  }

  /**
   * Appends one packet; returns its size in bytes.
   *
   * @throws {TypeError | RangeError} The packet is not valid; nothing was written.
   */
  write(packet: Packet): number {
    const size = packetSize(measurePacket(packet, this.#version));
    if (this.#end + size > this.#buffer.length) {
      // Keep the untaken bytes: move them to a fresh buffer that also has room for this packet.
      const pending = this.#end - this.#start;
      const next = new Uint8Array(Math.max(this.#bufferSize, (pending + size) * 2));
      next.set(this.#buffer.subarray(this.#start, this.#end));
      this.#buffer = next;
      this.#start = 0;
      this.#end = pending;
    }
    this.#end = writePacket(packet, this.#version, this.#buffer, this.#end);
    return size;
  }

  /** Returns the bytes written since the last `take()`; the writer will not touch them again. */
  take(): Uint8Array {
    const bytes = this.#buffer.subarray(this.#start, this.#end);
    this.#start = this.#end;
    return bytes;
  }
}
