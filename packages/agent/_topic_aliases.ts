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

  constructor(maximum: number) {
    this.#maximum = maximum;
  }

  /** The alias to send for `topic`, and whether the server already knows it. */
  choose(topic: string): { alias: number; known: boolean } | undefined {
    if (this.#maximum === 0) return undefined;
    const existing = this.#byTopic.get(topic);
    if (existing !== undefined) return { alias: existing, known: true };
    if (this.#byTopic.size < this.#maximum) return { alias: this.#byTopic.size + 1, known: false };
    return { alias: this.#byTopic.values().next().value!, known: false };
  }

  /** Records that `alias` was sent for `topic` (the result of `choose`). */
  use(topic: string, alias: number): void {
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
