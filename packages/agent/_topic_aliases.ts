import type { PublishPacket } from "@tern/codec";

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

/** Why the topic of a PUBLISH the server sent breaks the rules, and the reason code. */
export interface TopicViolation {
  violation: string;
  reasonCode: number;
}

/**
 * Both directions of MQTT 5 topic aliases for one network connection [MQTT-3.3.2-7]: the
 * aliases the client chooses within the server's Topic Alias Maximum (outbound), and those
 * the server sets within the client's (inbound).
 */
export class TopicAliases {
  #inboundMaximum: number;
  #outbound?: OutboundTopicAliases;
  // Created on first use: an idle connection holds no empty map it may never need.
  #inbound?: Map<number, string>;

  /** Aliases within the client's Topic Alias Maximum `inboundMaximum` (0: none). */
  constructor(inboundMaximum: number) {
    this.#inboundMaximum = inboundMaximum;
  }

  /** A connection ended or begins: every mapping of both directions is gone. */
  reset(): void {
    this.#outbound = undefined;
    this.#inbound?.clear();
  }

  /** CONNACK accepted the connection: outbound aliases within the server's maximum (0: none). */
  start(outboundMaximum: number): void {
    if (outboundMaximum > 0) this.#outbound = new OutboundTopicAliases(outboundMaximum);
  }

  /**
   * The alias to send `topic` with: positive when the server knows it, negated when it is
   * to be assigned, 0 for none (see {@linkcode OutboundTopicAliases.choose}).
   */
  choose(topic: string): number {
    return this.#outbound?.choose(topic) ?? 0;
  }

  /** `packet` as it goes on the wire with `alias` (from `choose`): topic left out when known. */
  apply<P extends PublishPacket>(packet: P, alias: number): P {
    return {
      ...packet,
      topic: alias > 0 ? "" : packet.topic,
      properties: { ...packet.properties, topicAlias: Math.abs(alias) },
    };
  }

  /** Records that `alias` (from `choose`) was sent for `topic`. */
  use(topic: string, alias: number): void {
    this.#outbound!.use(topic, Math.abs(alias));
  }

  /**
   * The topic name of an inbound PUBLISH, its alias resolved (MQTT 5, `v5`), or why it breaks
   * the rules: no topic at all, or a wildcard in it.
   */
  topicOf(packet: PublishPacket, v5: boolean): string | TopicViolation {
    const alias = v5 ? packet.properties?.topicAlias : undefined;
    const topic = alias === undefined ? packet.topic : this.resolve(packet.topic, alias);
    if (typeof topic !== "string") return topic;
    if (topic === "") {
      return { violation: "PUBLISH has an empty topic name and no topic alias", reasonCode: 0x82 };
    }
    if (topic.includes("+") || topic.includes("#")) {
      // [MQTT-3.3.2-2]
      return { violation: `PUBLISH topic name "${topic}" contains a wildcard`, reasonCode: 0x90 };
    }
    return topic;
  }

  /**
   * The topic of an inbound PUBLISH that carries topic alias `alias`: its own topic (which
   * the alias now stands for), or the one the alias was set to when the topic is empty.
   */
  resolve(topic: string, alias: number): string | TopicViolation {
    const maximum = this.#inboundMaximum;
    if (alias === 0 || alias > maximum) {
      // [MQTT-3.3.2-9] / [MQTT-3.3.2-10]
      return {
        violation: `PUBLISH uses topic alias ${alias}, outside 1 to ${maximum}`,
        reasonCode: 0x94,
      };
    }
    if (topic !== "") {
      (this.#inbound ??= new Map()).set(alias, topic);
      return topic;
    }
    const known = this.#inbound?.get(alias);
    if (known === undefined) {
      return {
        violation: `PUBLISH uses topic alias ${alias}, which was never set`,
        reasonCode: 0x82,
      };
    }
    return known;
  }
}
