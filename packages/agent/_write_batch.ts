/**
 * The bytes of one write: encoded packets gathered back to back into a buffer the runner
 * keeps and reuses once each write finished, instead of a fresh buffer per write. A batch
 * of one packet is written as it is, without a copy.
 */
export class WriteBatch {
  #buffer = new Uint8Array(0);
  #first?: Uint8Array;
  #length = 0;

  /** Bytes gathered so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends the bytes of one packet. */
  add(bytes: Uint8Array): void {
    if (this.#length === 0) {
      this.#first = bytes;
      this.#length = bytes.length;
      return;
    }
    const total = this.#length + bytes.length;
    if (this.#first !== undefined) {
      // A second packet: from now on the batch lives in the buffer.
      this.#ensure(total);
      this.#buffer.set(this.#first, 0);
      this.#first = undefined;
    } else {
      this.#ensure(total);
    }
    this.#buffer.set(bytes, this.#length);
    this.#length = total;
  }

  /**
   * The gathered bytes, valid until the next `add()` after `clear()`; the caller writes
   * them, then calls `clear()`.
   */
  bytes(): Uint8Array {
    return this.#first ?? this.#buffer.subarray(0, this.#length);
  }

  /**
   * Starts the next batch, reusing the buffer. One that grew past `keep` bytes (a large
   * packet went through) is dropped, so a connection does not hold it while idle.
   */
  clear(keep: number): void {
    this.#first = undefined;
    this.#length = 0;
    if (this.#buffer.length > keep) this.#buffer = new Uint8Array(0);
  }

  #ensure(size: number): void {
    if (size <= this.#buffer.length) return;
    const next = new Uint8Array(Math.max(size, this.#buffer.length * 2, 1024));
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
  }
}
