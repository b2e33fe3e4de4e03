/**
 * A quality-of-service level.
 *
 * @example Ask for at-least-once delivery
 * ```ts
 * import type { QoS } from "@tern/subscriptions";
 *
 * const atLeastOnce: QoS = 1;
 * console.log(atLeastOnce);
 * ```
 */
export type QoS = 0 | 1 | 2;

/**
 * The MQTT 5 properties of an incoming message that subscribers may read; the same names
 * and types as `PublishProperties` in `@tern/codec`, so a decoded PUBLISH fits as it is.
 *
 * @example Read a request's response topic
 * ```ts
 * import type { MessageProperties } from "@tern/subscriptions";
 *
 * const properties: MessageProperties = { responseTopic: "replies/42", subscriptionIdentifiers: [3] };
 * console.log(properties.responseTopic);
 * ```
 */
export interface MessageProperties {
  /** 0: unspecified bytes, 1: UTF-8 character data. */
  payloadFormatIndicator?: 0 | 1;
  /** Seconds the message had left to live when the server sent it. */
  messageExpiryInterval?: number;
  /** Where a request's response should be published. */
  responseTopic?: string;
  /** Links a response to its request. */
  correlationData?: Uint8Array;
  /** Application key/value pairs, in order; a key may repeat. */
  userProperties?: [key: string, value: string][];
  /** The identifiers of the subscriptions the message was sent for [MQTT-3.3.4-3]. */
  subscriptionIdentifiers?: number[];
  /** The MIME type of the payload. */
  contentType?: string;
}

/**
 * An application message received from the broker. A decoded `PublishPacket` from
 * `@tern/codec` is one (its topic alias already resolved into `topic`).
 *
 * @example A message as a subscriber sees it
 * ```ts
 * import type { Message } from "@tern/subscriptions";
 *
 * const message: Message = {
 *   topic: "sensors/1/temperature",
 *   payload: new TextEncoder().encode("21.5"),
 *   qos: 1,
 *   retain: false,
 * };
 * console.log(new TextDecoder().decode(message.payload));
 * ```
 */
export interface Message {
  /** The topic name the message was published to. */
  topic: string;
  /** The payload; shared by every local subscriber, so treat it as read-only. */
  payload: Uint8Array;
  /** The QoS the message was delivered at. */
  qos: QoS;
  /** Whether the message is a retained one sent because of a new subscription. */
  retain: boolean;
  /** MQTT 5 properties, if any. */
  properties?: MessageProperties;
  /**
   * On a subscription with `ack: "manual"`: acknowledges the message (PUBACK / PUBREC leave
   * in arrival order, whatever order the application acks in). Idempotent.
   */
  ack?: () => void;
}
