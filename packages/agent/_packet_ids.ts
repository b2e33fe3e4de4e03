/**
 * Packet identifiers 1..65535 for outbound QoS 1 / 2 PUBLISH, SUBSCRIBE and UNSUBSCRIBE.
 * An identifier stays taken until its flow completes [MQTT-2.2.1-3], and the allocator walks
 * forward from the last one handed out so a just-freed id is not reused at once (a late,
 * duplicate acknowledgement then cannot complete the wrong operation).
 */
export class PacketIds {
  /** The largest packet identifier, and so the most flows in flight at once. */
  static readonly MAX = 65_535;

  #inUse = new Set<number>();
  #last = 0;

  /** How many identifiers are taken. */
  get size(): number {
    return this.#inUse.size;
  }

  /** Whether every identifier is taken. */
  get full(): boolean {
    return this.#inUse.size >= PacketIds.MAX;
  }

  /** Whether `id` is taken. */
  has(id: number): boolean {
    return this.#inUse.has(id);
  }

  /** Takes the next free identifier, or returns undefined when all 65535 are taken. */
  take(): number | undefined {
    if (this.full) return undefined;
    let id = this.#last;
    do id = id === PacketIds.MAX ? 1 : id + 1; while (this.#inUse.has(id));
    this.#last = id;
    this.#inUse.add(id);
    return id;
  }

  /** Marks a specific identifier taken (an entry restored from a session store). */
  claim(id: number): void {
    this.#inUse.add(id);
  }

  /** Frees an identifier. */
  release(id: number): void {
    this.#inUse.delete(id);
  }
}
