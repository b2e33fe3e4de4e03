import { matches, TopicTrie } from "@tern/subscriptions";
import type { QoS } from "@tern/codec";
import { type Delivery, type Message, own } from "./_message.ts";
import type { Session, Sub } from "./_session.ts";

/** The sessions of one `$share/{name}/{filter}`: each message goes to one of them. */
interface SharedGroup {
  members: Sub[];
  next: number;
}

type Entry = Sub | SharedGroup;

/**
 * Routes messages to subscriptions: a topic trie of every session's filters, shared
 * subscription groups served round robin, and the retained messages.
 */
export class Router {
  #trie = new TopicTrie<Entry>();
  #groups = new Map<string, SharedGroup>();
  readonly retained: Map<string, Message> = new Map();
  #maxRetained: number;

  constructor(maxRetained: number) {
    this.#maxRetained = maxRetained;
  }

  get subscriptionCount(): number {
    return this.#trie.size;
  }

  add(sub: Sub): void {
    if (sub.shareName === undefined) return this.#trie.add(sub.filter, sub);
    let group = this.#groups.get(sub.filter);
    if (!group) {
      group = { members: [], next: 0 };
      this.#groups.set(sub.filter, group);
      this.#trie.add(sub.filter, group);
    }
    group.members.push(sub);
  }

  remove(sub: Sub): void {
    if (sub.shareName === undefined) {
      this.#trie.delete(sub.filter, sub);
      return;
    }
    const group = this.#groups.get(sub.filter);
    if (!group) return;
    const index = group.members.indexOf(sub);
    if (index !== -1) group.members.splice(index, 1);
    if (group.members.length === 0) {
      this.#groups.delete(sub.filter);
      this.#trie.delete(sub.filter, group);
    }
  }

  /**
   * Delivers `message` to every matching session once, at the highest QoS its matching
   * subscriptions grant, with all their identifiers [MQTT-3.3.4-3], [MQTT-3.3.4-4]; and to
   * one member of each matching shared group. Returns how many sessions got it.
   */
  route(message: Message, now: number): number {
    const entries = this.#trie.match(message.topic);
    if (entries.length === 0) return 0;
    let single: Session | undefined;
    let delivery: Delivery | undefined;
    let many: Map<Session, Delivery> | undefined;
    let count = 0;
    for (const entry of entries) {
      if ("members" in entry) {
        const sub = pick(entry);
        sub.session.deliver(deliveryFor(message, sub), now);
        count++;
        continue;
      }
      // [MQTT-3.8.3-3] No Local: not back to the session that published it.
      if (entry.noLocal && entry.session.clientId === message.from) continue;
      if (single === undefined) {
        single = entry.session;
        delivery = deliveryFor(message, entry);
        continue;
      }
      if (entry.session === single && !many) {
        merge(delivery!, message, entry);
        continue;
      }
      if (!many) many = new Map([[single, delivery!]]);
      const existing = many.get(entry.session);
      if (existing) merge(existing, message, entry);
      else many.set(entry.session, deliveryFor(message, entry));
    }
    if (many) {
      for (const [session, each] of many) session.deliver(each, now);
      return count + many.size;
    }
    if (single) single.deliver(delivery!, now);
    return count + (single ? 1 : 0);
  }

  /** Stores or (empty payload [MQTT-3.3.1-10]) clears the retained message of a topic. */
  retain(message: Message): void {
    if (message.payload.byteLength === 0) {
      this.retained.delete(message.topic);
      return;
    }
    if (!this.retained.has(message.topic) && this.retained.size >= this.#maxRetained) return;
    this.retained.set(message.topic, own(message));
  }

  /** The retained messages a new subscription receives [MQTT-3.3.1-9], as deliveries. */
  retainedFor(sub: Sub, now: number): Delivery[] {
    const out: Delivery[] = [];
    for (const [topic, message] of this.retained) {
      if (message.expiresAt !== undefined && now >= message.expiresAt) {
        this.retained.delete(topic);
        continue;
      }
      if (!matches(sub.topicFilter, topic)) continue;
      const delivery = deliveryFor(message, sub);
      delivery.retain = true;
      out.push(delivery);
    }
    return out;
  }
}

function deliveryFor(message: Message, sub: Sub): Delivery {
  const delivery: Delivery = {
    message,
    qos: Math.min(message.qos, sub.qos) as QoS,
    // [MQTT-3.3.1-12], [MQTT-3.3.1-13]
    retain: sub.retainAsPublished && message.retain,
  };
  if (sub.identifier !== undefined) delivery.subscriptionIdentifiers = [sub.identifier];
  return delivery;
}

function merge(delivery: Delivery, message: Message, sub: Sub): void {
  const qos = Math.min(message.qos, sub.qos) as QoS;
  if (qos > delivery.qos) delivery.qos = qos;
  if (sub.retainAsPublished && message.retain) delivery.retain = true;
  if (sub.identifier !== undefined) {
    (delivery.subscriptionIdentifiers ??= []).push(sub.identifier);
  }
}

/** The next member of a shared group, preferring connected sessions. */
function pick(group: SharedGroup): Sub {
  const members = group.members;
  for (let i = 0; i < members.length; i++) {
    const sub = members[(group.next + i) % members.length];
    if (sub.session.outlet) {
      group.next = (group.next + i + 1) % members.length;
      return sub;
    }
  }
  const sub = members[group.next % members.length];
  group.next = (group.next + 1) % members.length;
  return sub;
}
