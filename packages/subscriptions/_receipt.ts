/**
 * The acknowledgement of one QoS 1 / 2 message, held back while any local subscription it
 * matched has not taken it: `pending` counts the holds, and `taken` runs when the last is
 * released (the client then acknowledges the PUBLISH).
 */
export interface Receipt {
  pending: number;
  taken: () => void;
}

/** A message whose receipt one subscription holds until it takes the message. */
export class Held<M> {
  readonly message: M;
  receipt: Receipt | undefined;

  constructor(message: M, receipt: Receipt) {
    this.message = message;
    this.receipt = receipt;
    receipt.pending++;
  }

  /** Releases this subscription's hold, once. */
  release(): void {
    const receipt = this.receipt;
    if (receipt === undefined) return;
    this.receipt = undefined;
    if (--receipt.pending === 0) receipt.taken();
  }
}
