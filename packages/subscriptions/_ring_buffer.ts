/**
 * A FIFO queue on a ring that doubles when full: a subscription's buffer. It grows past the
 * subscription's `bufferSize` only for QoS 1 / 2 messages, which are never dropped; those
 * are bounded by the client's Receive Maximum, since the messages past `bufferSize` are not
 * yet acknowledged.
 */
export class RingBuffer<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    this.#items = new Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Appends `item`, growing the ring when it is full. */
  push(item: T): void {
    const size = this.#items.length;
    if (this.#length === size) {
      const grown = new Array<T | undefined>(size * 2);
      for (let i = 0; i < size; i++) grown[i] = this.#items[(this.#head + i) % size];
      this.#items = grown;
      this.#head = 0;
    }
    this.#items[(this.#head + this.#length) % this.#items.length] = item;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    return item;
  }

  /** The item `index` places from the front, or undefined. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    return this.#items[(this.#head + index) % this.#items.length];
  }

  /** Index of the first item `test` accepts, or -1. */
  findIndex(test: (item: T) => boolean): number {
    for (let i = 0; i < this.#length; i++) {
      if (test(this.#items[(this.#head + i) % this.#items.length] as T)) return i;
    }
    return -1;
  }

  /** Removes the item at `index` (the items after it move up one place). */
  removeAt(index: number): void {
    const size = this.#items.length;
    for (let i = index; i < this.#length - 1; i++) {
      this.#items[(this.#head + i) % size] = this.#items[(this.#head + i + 1) % size];
    }
    this.#items[(this.#head + this.#length - 1) % size] = undefined;
    this.#length--;
  }

  clear(): void {
    while (this.#length > 0) this.shift();
  }
}
