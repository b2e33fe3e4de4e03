import type { PublishProperties, QoS } from "@tern/codec";

/** An application message as the broker holds it between publisher and subscribers. */
export interface Message {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** The publisher's properties without Topic Alias and Subscription Identifiers. */
  properties?: PublishProperties;
  /** When the Message Expiry Interval runs out, in the core's clock (ms). */
  expiresAt?: number;
  /** The publishing session's client id, for No Local. */
  from?: string;
}

/**
 * Makes a message that will be kept (retained, queued, in flight, a will) hold only its own
 * bytes: a decoded payload is a view of the whole chunk it arrived in (up to 64 KiB), and
 * keeping that view would keep the chunk. Copies at most once per message.
 */
export function own(message: Message): Message {
  const payload = message.payload;
  if (payload.buffer.byteLength > payload.byteLength + 256) message.payload = payload.slice();
  return message;
}

/** One message on its way to one session, at the QoS and with the flags it is sent with. */
export interface Delivery {
  message: Message;
  qos: QoS;
  retain: boolean;
  subscriptionIdentifiers?: number[];
}

/** Bytes a delivery is counted as in a session's queue. */
export function deliverySize(delivery: Delivery): number {
  return delivery.message.topic.length + delivery.message.payload.byteLength;
}

/**
 * The properties forwarded to subscribers: everything the publisher set except what belongs
 * to its own connection [MQTT-3.3.2-7] (Topic Alias) or to a subscription (identifiers).
 * `now` turns Message Expiry Interval into a deadline.
 */
export function messageFrom(
  packet: {
    topic: string;
    payload: Uint8Array;
    qos: QoS;
    retain: boolean;
    properties?: PublishProperties;
  },
  now: number,
  from?: string,
): Message {
  const message: Message = {
    topic: packet.topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    from,
  };
  const properties = packet.properties;
  if (properties) {
    const {
      topicAlias: _alias,
      subscriptionIdentifiers: _ids,
      willDelayInterval: _delay,
      ...rest
    } = properties as PublishProperties & { willDelayInterval?: number };
    let any = false;
    for (const key in rest) if ((rest as Record<string, unknown>)[key] !== undefined) any = true;
    if (any) message.properties = rest;
    if (rest.messageExpiryInterval !== undefined) {
      message.expiresAt = now + rest.messageExpiryInterval * 1000;
    }
  }
  return message;
}

/** The properties of one PUBLISH to a subscriber: the remaining expiry [MQTT-3.3.2-6], ids. */
export function outgoingProperties(
  delivery: Delivery,
  now: number,
): PublishProperties | undefined {
  const { message, subscriptionIdentifiers } = delivery;
  if (message.expiresAt === undefined && !subscriptionIdentifiers) return message.properties;
  const properties: PublishProperties = { ...message.properties };
  if (message.expiresAt !== undefined) {
    properties.messageExpiryInterval = Math.max(0, Math.ceil((message.expiresAt - now) / 1000));
  }
  if (subscriptionIdentifiers) properties.subscriptionIdentifiers = subscriptionIdentifiers;
  return properties;
}

/** Whether the message's expiry interval has passed [MQTT-3.3.2-5]. */
export function expired(message: Message, now: number): boolean {
  return message.expiresAt !== undefined && now >= message.expiresAt;
}
