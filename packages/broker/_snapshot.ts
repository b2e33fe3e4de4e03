import { Decoder, encode, type PublishPacket } from "@tern/codec";
import type { BrokerCore } from "./_core.ts";
import type { Delivery, Message } from "./_message.ts";
import { Session, type Sub } from "./_session.ts";
import type { BrokerSnapshot, MessageSnapshot, SessionSnapshot } from "./persistence.ts";
import { parseSharedSubscription } from "@tern/subscriptions";

/** The durable part of the core's state, as plain data. */
export function snapshotOf(core: BrokerCore): BrokerSnapshot {
  const sessions: SessionSnapshot[] = [];
  for (const session of core.sessions.values()) {
    if (session.expiryInterval === 0) continue;
    const queue: MessageSnapshot[] = [];
    for (const entry of session.inflight.values()) {
      if (!entry.released) queue.push(deliverySnapshot(entry.delivery));
    }
    for (const delivery of session.queue) queue.push(deliverySnapshot(delivery));
    sessions.push({
      clientId: session.clientId,
      expiryInterval: session.expiryInterval,
      expiresAt: session.outlet ? undefined : session.expiresAt,
      subscriptions: [...session.subscriptions.values()].map((sub) => ({
        filter: sub.filter,
        qos: sub.qos,
        noLocal: sub.noLocal,
        retainAsPublished: sub.retainAsPublished,
        retainHandling: sub.retainHandling,
        identifier: sub.identifier,
      })),
      queue,
      unreleased: [...session.unreleased],
    });
  }
  const retained = [...core.router.retained.values()].map(messageSnapshot);
  return { sessions, retained };
}

/** Loads a snapshot into an empty core. */
export function restore(core: BrokerCore, snapshot: BrokerSnapshot, now: number): void {
  for (const saved of snapshot.retained) core.router.retain(messageOf(saved));
  for (const saved of snapshot.sessions) {
    if (saved.expiresAt !== undefined && saved.expiresAt <= now) continue;
    const session = new Session(saved.clientId, core.limits);
    session.expiryInterval = saved.expiryInterval;
    // A session that was connected when the broker stopped starts its expiry now.
    session.expiresAt = saved.expiresAt ??
      (saved.expiryInterval === 0xffffffff ? undefined : now + saved.expiryInterval * 1000);
    for (const options of saved.subscriptions) {
      const shared = parseSharedSubscription(options.filter);
      const sub: Sub = {
        session,
        ...options,
        shareName: shared?.shareName,
        topicFilter: shared?.topicFilter ?? options.filter,
      };
      session.subscriptions.set(sub.filter, sub);
      core.router.add(sub);
    }
    for (const id of saved.unreleased) session.unreleased.add(id);
    for (const entry of saved.queue) {
      const message = messageOf(entry);
      const delivery: Delivery = {
        message,
        qos: entry.qos ?? message.qos,
        retain: message.retain,
        subscriptionIdentifiers: entry.subscriptionIdentifiers,
      };
      session.deliver(delivery, now);
    }
    core.sessions.set(session.clientId, session);
    core.watch(session);
  }
}

function messageSnapshot(message: Message): MessageSnapshot {
  const packet: PublishPacket = {
    type: "publish",
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    dup: false,
    packetId: message.qos === 0 ? undefined : 1,
    properties: message.properties,
  };
  const snapshot: MessageSnapshot = { packet: encode(packet, { version: 5 }).slice() };
  if (message.expiresAt !== undefined) snapshot.expiresAt = message.expiresAt;
  return snapshot;
}

function deliverySnapshot(delivery: Delivery): MessageSnapshot {
  const snapshot = messageSnapshot({ ...delivery.message, retain: delivery.retain });
  snapshot.qos = delivery.qos;
  if (delivery.subscriptionIdentifiers) {
    snapshot.subscriptionIdentifiers = delivery.subscriptionIdentifiers;
  }
  return snapshot;
}

function messageOf(snapshot: MessageSnapshot): Message {
  const [packet] = new Decoder({ version: 5 }).push(snapshot.packet);
  if (packet?.type !== "publish") throw new TypeError("Cannot restore broker state: not a PUBLISH");
  const message: Message = {
    topic: packet.topic,
    payload: packet.payload.slice(),
    qos: packet.qos,
    retain: packet.retain,
  };
  if (packet.properties) message.properties = packet.properties;
  if (snapshot.expiresAt !== undefined) message.expiresAt = snapshot.expiresAt;
  return message;
}
