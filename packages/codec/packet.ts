/**
 * The MQTT 3.1.1 (protocol level 4) and 5.0 packet model: one discriminated union on
 * `type`, with every MQTT 5 property by its specification name.
 *
 * The same shapes serve both directions. The decoder always fills the fields marked
 * "always set when decoded"; the encoder treats a missing optional field as its default.
 *
 * @module
 */

/** The MQTT protocol level: 4 is MQTT 3.1.1, 5 is MQTT 5.0. */
export type ProtocolVersion = 4 | 5;

/** A quality-of-service level. */
export type QoS = 0 | 1 | 2;

/** MQTT 5 user properties, in order; a key may repeat [MQTT-3.3.2-18]. */
export type UserProperties = [key: string, value: string][];

/** Properties of a CONNECT packet (MQTT 5 §3.1.2.11). */
export interface ConnectProperties {
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  requestResponseInformation?: boolean;
  requestProblemInformation?: boolean;
  userProperties?: UserProperties;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
}

/** Properties of the will message in a CONNECT packet (MQTT 5 §3.1.3.2). */
export interface WillProperties {
  willDelayInterval?: number;
  /** 0: unspecified bytes, 1: UTF-8 character data. */
  payloadFormatIndicator?: 0 | 1;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Uint8Array;
  userProperties?: UserProperties;
}

/** The will message carried by a CONNECT packet. */
export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: WillProperties;
}

/** Properties of a CONNACK packet (MQTT 5 §3.2.2.3). */
export interface ConnackProperties {
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  maximumQoS?: 0 | 1;
  retainAvailable?: boolean;
  maximumPacketSize?: number;
  assignedClientIdentifier?: string;
  topicAliasMaximum?: number;
  reasonString?: string;
  userProperties?: UserProperties;
  wildcardSubscriptionAvailable?: boolean;
  subscriptionIdentifiersAvailable?: boolean;
  sharedSubscriptionAvailable?: boolean;
  serverKeepAlive?: number;
  responseInformation?: string;
  serverReference?: string;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
}

/** Properties of a PUBLISH packet (MQTT 5 §3.3.2.3). */
export interface PublishProperties {
  /** 0: unspecified bytes, 1: UTF-8 character data. */
  payloadFormatIndicator?: 0 | 1;
  messageExpiryInterval?: number;
  topicAlias?: number;
  responseTopic?: string;
  correlationData?: Uint8Array;
  userProperties?: UserProperties;
  /** A server may send several; a client never sends any [MQTT-3.3.4-6]. */
  subscriptionIdentifiers?: number[];
  contentType?: string;
}

/** Properties of PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK. */
export interface AckProperties {
  reasonString?: string;
  userProperties?: UserProperties;
}

/** Properties of a SUBSCRIBE packet (MQTT 5 §3.8.2.1). */
export interface SubscribeProperties {
  subscriptionIdentifier?: number;
  userProperties?: UserProperties;
}

/** Properties of an UNSUBSCRIBE packet (MQTT 5 §3.10.2.1). */
export interface UnsubscribeProperties {
  userProperties?: UserProperties;
}

/** Properties of a DISCONNECT packet (MQTT 5 §3.14.2.2). */
export interface DisconnectProperties {
  sessionExpiryInterval?: number;
  reasonString?: string;
  userProperties?: UserProperties;
  serverReference?: string;
}

/** Properties of an AUTH packet (MQTT 5 §3.15.2.2). */
export interface AuthProperties {
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
  reasonString?: string;
  userProperties?: UserProperties;
}

/** CONNECT: the first packet a client sends. */
export interface ConnectPacket {
  type: "connect";
  clientId: string;
  /** Clean Start in MQTT 5, Clean Session in MQTT 3.1.1. */
  cleanStart: boolean;
  /** Seconds; 0 turns keep-alive off. */
  keepAlive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
  properties?: ConnectProperties;
}

/** CONNACK: the server's answer to CONNECT. */
export interface ConnackPacket {
  type: "connack";
  sessionPresent: boolean;
  /** The MQTT 5 reason code, or the MQTT 3.1.1 return code (0 to 5). */
  reasonCode: number;
  properties?: ConnackProperties;
}

/** PUBLISH: an application message. */
export interface PublishPacket {
  type: "publish";
  /** May be empty in MQTT 5 when `properties.topicAlias` is set. */
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when `qos` > 0. */
  packetId?: number;
  properties?: PublishProperties;
}

/** The acknowledgements of the QoS 1 and QoS 2 flows. */
export interface PublishAckPacket {
  type: "puback" | "pubrec" | "pubrel" | "pubcomp";
  packetId: number;
  /** MQTT 5 only; 0 (Success) when absent. Always set when decoded. */
  reasonCode?: number;
  properties?: AckProperties;
}

/** One topic filter of a SUBSCRIBE packet with its subscription options. */
export interface Subscription {
  topicFilter: string;
  qos: QoS;
  /** MQTT 5: do not send my own publications back to me. */
  noLocal?: boolean;
  /** MQTT 5: keep the RETAIN flag as published. */
  retainAsPublished?: boolean;
  /** MQTT 5: 0 send retained on subscribe, 1 only if new, 2 never. */
  retainHandling?: 0 | 1 | 2;
}

/** SUBSCRIBE: one or more topic filters. */
export interface SubscribePacket {
  type: "subscribe";
  packetId: number;
  subscriptions: Subscription[];
  properties?: SubscribeProperties;
}

/** SUBACK: one reason code (or MQTT 3.1.1 return code) per requested filter. */
export interface SubackPacket {
  type: "suback";
  packetId: number;
  reasonCodes: number[];
  properties?: AckProperties;
}

/** UNSUBSCRIBE: one or more topic filters. */
export interface UnsubscribePacket {
  type: "unsubscribe";
  packetId: number;
  topicFilters: string[];
  properties?: UnsubscribeProperties;
}

/** UNSUBACK: in MQTT 5 one reason code per filter; in MQTT 3.1.1 none. */
export interface UnsubackPacket {
  type: "unsuback";
  packetId: number;
  /** Empty in MQTT 3.1.1. */
  reasonCodes: number[];
  properties?: AckProperties;
}

/** PINGREQ and PINGRESP: keep-alive probes. */
export interface PingPacket {
  type: "pingreq" | "pingresp";
}

/** DISCONNECT: sent by the client, or in MQTT 5 by the server. */
export interface DisconnectPacket {
  type: "disconnect";
  /** MQTT 5 only; 0 (Normal disconnection) when absent. Always set when decoded. */
  reasonCode?: number;
  properties?: DisconnectProperties;
}

/** AUTH: MQTT 5 enhanced authentication. */
export interface AuthPacket {
  type: "auth";
  /** 0 Success, 0x18 Continue authentication, 0x19 Re-authenticate. Always set when decoded. */
  reasonCode?: number;
  properties?: AuthProperties;
}

/**
 * Any MQTT control packet.
 *
 * @example Narrow a packet by its type
 * ```ts
 * import type { Packet } from "@tern/codec";
 *
 * function describe(packet: Packet): string {
 *   return packet.type === "publish" ? `message on ${packet.topic}` : packet.type;
 * }
 * console.log(describe({ type: "pingreq" }));
 * ```
 */
export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PublishAckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingPacket
  | DisconnectPacket
  | AuthPacket;

/** The `type` of any packet. */
export type PacketType = Packet["type"];
