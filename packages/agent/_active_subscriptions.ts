import type {
  SubackPacket,
  SubscribePacket,
  SubscribeProperties,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
} from "@tern/codec";
import type { Command } from "./_command_queue.ts";

/**
 * The subscriptions the server granted, by topic filter, kept current from SUBACK and
 * UNSUBACK, so that they can be restored when a CONNACK says the server lost the session.
 */
export class ActiveSubscriptions {
  // Created on first use: a session that never subscribes holds no empty map.
  #byFilter?: Map<string, { subscription: Subscription; properties?: SubscribeProperties }>;

  /** How many topic filters are active. */
  get size(): number {
    return this.#byFilter?.size ?? 0;
  }

  /** Records what the server answered `sent` with. */
  track(ack: SubackPacket | UnsubackPacket, sent: SubscribePacket | UnsubscribePacket): void {
    if (sent.type === "subscribe") {
      const { subscriptions, properties } = sent;
      subscriptions.forEach((subscription, i) => {
        if ((ack.reasonCodes[i] ?? 0x80) < 0x80) {
          (this.#byFilter ??= new Map()).set(subscription.topicFilter, {
            subscription,
            properties,
          });
        } else {
          this.#byFilter?.delete(subscription.topicFilter);
        }
      });
    } else {
      for (const filter of sent.topicFilters) this.#byFilter?.delete(filter);
    }
  }

  /** SUBSCRIBE commands (no caller waits) for every active subscription, one per properties. */
  restoreCommands(): Command[] {
    const groups = new Map<
      string,
      { subscriptions: Subscription[]; properties?: SubscribeProperties }
    >();
    for (const { subscription, properties } of this.#byFilter?.values() ?? []) {
      const key = JSON.stringify(properties ?? null);
      let group = groups.get(key);
      if (!group) groups.set(key, group = { subscriptions: [], properties });
      group.subscriptions.push(subscription);
    }
    return [...groups.values()].map(({ subscriptions, properties }) => {
      const packet: SubscribePacket = { type: "subscribe", packetId: 0, subscriptions, properties };
      const size = subscriptions.reduce((sum, s) => sum + s.topicFilter.length + 1, 0);
      return { id: 0, packet, size, cancelled: false };
    });
  }

  /** Forgets every subscription. */
  clear(): void {
    this.#byFilter?.clear();
  }
}
