import { encodeInto, type Packet, type ProtocolVersion } from "@tern/codec";

/**
 * The bytes of one write: packets encoded back to back straight into a buffer the runner
 * keeps and reuses once each write finished, with no buffer per packet or per write.
 *
 * The session measures each packet before it decides to send it; `stage()` is that
 * measurement and already encodes the packet just past the batch, so that `add()` of the
 * same packet right after only extends the batch over it.
 */
export class WriteBatch {
  #buffer = new Uint8Array(0);
  #length = 0;
  #staged?: Packet;
  #stagedAt = 0;
  #stagedSize = 0;

  /** Bytes gathered so far. */
  get length(): number {
    return this.#length;
  }

  /** Encodes `packet` after the batch without adding it; returns its size. */
  stage(packet: Packet, version: ProtocolVersion): number {
    this.#staged = undefined;
    const at = this.#length;
    let size = encodeInto(packet, { version }, this.#buffer, at);
    if (at + size > this.#buffer.length) {
      this.#ensure(at + size);
      size = encodeInto(packet, { version }, this.#buffer, at);
    }
    this.#staged = packet;
    this.#stagedAt = at;
    this.#stagedSize = size;
    return size;
  }

  /** Appends one packet: the staged bytes when it is the packet staged last. */
  add(packet: Packet, version: ProtocolVersion): void {
    if (this.#staged !== packet) this.stage(packet, version);
    this.#staged = undefined;
    const size = this.#stagedSize;
    if (this.#stagedAt !== this.#length) {
      // Staged while the previous write was out: the batch has been cleared since.
      this.#buffer.copyWithin(this.#length, this.#stagedAt, this.#stagedAt + size);
    }
    this.#length += size;
  }

  /** The batch, valid until the next call. */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /** Empties the batch once its write finished; drops a buffer grown past `keep` bytes. */
  clear(keep: number): void {
    this.#length = 0;
    if (this.#buffer.length > keep) {
      this.#buffer = new Uint8Array(0);
      this.#staged = undefined;
    }
  }

  #ensure(size: number): void {
    const next = new Uint8Array(Math.max(size, this.#buffer.length * 2, 1024));
    // The batch, and a staged packet that may still be added.
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
  }
}
