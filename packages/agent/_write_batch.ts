import { encodeInto, type Packet, type ProtocolVersion } from "@tern/codec";
import type { PacketSink } from "./session_types.ts";

// Buffers of finished writes, shared by every connection's batch: an idle connection
// holds none.
const spare: Uint8Array<ArrayBuffer>[] = [];
const SPARE_LIMIT = 8;
const MIN_BUFFER = 1024;
const EMPTY = new Uint8Array(0);

/**
 * The bytes of one write: packets encoded back to back straight into a buffer, with no
 * buffer per packet or per write; once the write finished the buffer goes back to a pool
 * shared by all connections.
 *
 * It is the session's {@linkcode PacketSink}: the session measures each packet before it
 * decides to send it, and `stage()` is that measurement, encoding the packet just past the
 * batch, so that `commit()` only extends the batch over it.
 */
export class WriteBatch implements PacketSink {
  #buffer = EMPTY;
  #length = 0;
  #stagedSize = 0;

  /** Bytes gathered so far. */
  get length(): number {
    return this.#length;
  }

  /** Encodes `packet` after the batch without adding it; returns its size. */
  stage(packet: Packet, version: ProtocolVersion): number {
    this.#stagedSize = 0;
    // A buffer before the first packet, so that it is measured once, not once to find it
    // does not fit in nothing.
    if (this.#buffer === EMPTY) this.#buffer = spare.pop() ?? new Uint8Array(MIN_BUFFER);
    const at = this.#length;
    let size = encodeInto(packet, { version }, this.#buffer, at);
    if (at + size > this.#buffer.length) {
      this.#ensure(at + size);
      size = encodeInto(packet, { version }, this.#buffer, at);
    }
    this.#stagedSize = size;
    return size;
  }

  /** Appends the packet staged last. */
  commit(): void {
    this.#length += this.#stagedSize;
    this.#stagedSize = 0;
  }

  /** Appends one packet. */
  add(packet: Packet, version: ProtocolVersion): void {
    this.stage(packet, version);
    this.commit();
  }

  /** The batch, valid until the next call. */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /**
   * Empties the batch once its write finished and lends its buffer to the next batch that
   * needs one (dropped instead when it grew past `keep` bytes).
   */
  clear(keep: number): void {
    this.#length = 0;
    this.#stagedSize = 0;
    if (this.#buffer.length <= keep && this.#buffer !== EMPTY && spare.length < SPARE_LIMIT) {
      spare.push(this.#buffer);
    }
    this.#buffer = EMPTY;
  }

  #ensure(size: number): void {
    const next = new Uint8Array(Math.max(size, this.#buffer.length * 2, MIN_BUFFER));
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
  }
}
