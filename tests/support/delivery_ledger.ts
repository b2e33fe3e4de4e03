/**
 * Counts what a fault test sent and what arrived, by sequence number, so that loss and
 * duplication are computed rather than eyeballed.
 */

/** The figures of one message stream. */
export interface DeliverySummary {
  /** Messages the publisher handed to the client. */
  sent: number;
  /** Messages that arrived, duplicates included. */
  received: number;
  /** Distinct sent messages that never arrived. */
  lost: number;
  /** Arrivals beyond the first of the same message. */
  duplicated: number;
  /** Arrivals of a sequence number that was never sent (a corrupted or foreign payload). */
  unexpected: number;
}

const PREFIX = "seq:";

/** The payload carrying `seq`, as a fault test publishes it. */
export function seqPayload(seq: number): Uint8Array {
  return new TextEncoder().encode(`${PREFIX}${seq}`);
}

/** The sequence number in a payload made by {@linkcode seqPayload}, or undefined. */
export function payloadSeq(payload: Uint8Array): number | undefined {
  const text = new TextDecoder().decode(payload);
  if (!text.startsWith(PREFIX)) return undefined;
  const seq = Number(text.slice(PREFIX.length));
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
}

/** One stream's ledger: record each send and each arrival, then read the summary. */
export class DeliveryLedger {
  #sent = new Set<number>();
  #arrivals = new Map<number, number>();
  #received = 0;
  #unexpected = 0;

  /** Records that message `seq` was handed to the publishing client. */
  sent(seq: number): void {
    this.#sent.add(seq);
  }

  /** Records an arrival of the message with this payload. */
  received(payload: Uint8Array): void {
    this.#received++;
    const seq = payloadSeq(payload);
    if (seq === undefined) {
      this.#unexpected++;
      return;
    }
    this.#arrivals.set(seq, (this.#arrivals.get(seq) ?? 0) + 1);
  }

  /** Distinct sent messages that arrived at least once. */
  get distinctReceived(): number {
    let count = 0;
    for (const seq of this.#sent) if (this.#arrivals.has(seq)) count++;
    return count;
  }

  /** The figures so far. */
  summary(): DeliverySummary {
    let duplicated = 0;
    let unexpected = this.#unexpected;
    for (const [seq, count] of this.#arrivals) {
      if (!this.#sent.has(seq)) {
        unexpected += count;
        continue;
      }
      duplicated += count - 1;
    }
    return {
      sent: this.#sent.size,
      received: this.#received,
      lost: this.#sent.size - this.distinctReceived,
      duplicated,
      unexpected,
    };
  }
}
