/**
 * Outbound topic aliases (MQTT 5 §3.3.2.3.4): the client picks them, within the server's
 * Topic Alias Maximum, and reuses the least recently used one when all are taken. Mappings
 * live for one network connection only [MQTT-3.3.2-7].
 *
 * Choosing and committing are separate so that a packet refused before it is sent (too
 * large) leaves the mapping as the server knows it.
 */
export class OutboundTopicAliases {
  /** topic → alias; a Map iterates in insertion order, so re-inserting marks "recently used". */
  #byTopic = new Map<string, number>();
  #maximum: number;
  /** The most recently used topic: using it again changes nothing. */
  #last?: string;

  constructor(maximum: number) {
    this.#maximum = maximum;
  }

  /**
   * The alias to send for `topic`: positive when the server already knows it, negated when
   * it is to be (re)assigned to `topic`, 0 when aliases are off. (A number rather than an
   * object: the runner asks once per publish.)
   */
  choose(topic: string): number {
    if (this.#maximum === 0) return 0;
    const existing = this.#byTopic.get(topic);
    if (existing !== undefined) return existing;
    if (this.#byTopic.size < this.#maximum) return -(this.#byTopic.size + 1);
    return -this.#byTopic.values().next().value!;
  }

  /** Records that `alias` was sent for `topic` (the result of `choose`). */
  use(topic: string, alias: number): void {
    if (topic === this.#last) return;
    this.#last = topic;
    const existing = this.#byTopic.get(topic);
    if (existing !== undefined) {
      this.#byTopic.delete(topic);
    } else if (this.#byTopic.size >= this.#maximum) {
      const oldest = this.#byTopic.keys().next().value!;
      this.#byTopic.delete(oldest);
    }
    this.#byTopic.set(topic, alias);
  }
}
