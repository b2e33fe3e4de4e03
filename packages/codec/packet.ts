/**
 * The MQTT 3.1.1 (protocol level 4) and 5.0 packet model: one discriminated union on
 * `type`, with every MQTT 5 property by its specification name.
 *
 * The same shapes serve both directions. The decoder always fills the fields marked
 * "always set when decoded"; the encoder treats a missing optional field as its default.
 *
 * @module
 */

/** The MQTT protocol level: 3 is MQTT 3.1 ("MQIsdp"), 4 is MQTT 3.1.1, 5 is MQTT 5.0. */
export type ProtocolVersion = 3 | 4 | 5;

/** A quality-of-service level. */
export type QoS = 0 | 1 | 2;

/** MQTT 5 user properties, in order; a key may repeat [MQTT-3.3.2-18]. */
export type UserProperties = [key: string, value: string][];

/** Properties of a CONNECT packet (MQTT 5 §3.1.2.11). */
export interface ConnectProperties {
  /** Seconds the session outlives the connection (0: ends with it; 0xFFFFFFFF: never expires). */
  sessionExpiryInterval?: number;
  /** How many QoS 1 and 2 publishes the sender will process concurrently. */
  receiveMaximum?: number;
  /** The largest packet, in bytes, the sender will accept. */
  maximumPacketSize?: number;
  /** The highest topic alias the sender will accept (0: none). */
  topicAliasMaximum?: number;
  /** Asks the server for Response Information in CONNACK. */
  requestResponseInformation?: boolean;
  /** Whether the server may send reason strings and user properties on failures. */
  requestProblemInformation?: boolean;
  /** Application-defined key/value pairs, in order. */
  userProperties?: UserProperties;
  /** Name of the enhanced authentication method. */
  authenticationMethod?: string;
  /** Data of the enhanced authentication exchange. */
  authenticationData?: Uint8Array;
}

/** Properties of the will message in a CONNECT packet (MQTT 5 §3.1.3.2). */
export interface WillProperties {
  /** Seconds the server waits before publishing the will. */
  willDelayInterval?: number;
  /** 0: unspecified bytes, 1: UTF-8 character data. */
  payloadFormatIndicator?: 0 | 1;
  /** Seconds the message stays deliverable. */
  messageExpiryInterval?: number;
  /** MIME type of the payload. */
  contentType?: string;
  /** Topic the receiver should answer on. */
  responseTopic?: string;
  /** Bytes that tie a response to its request. */
  correlationData?: Uint8Array;
  /** Application-defined key/value pairs, in order. */
  userProperties?: UserProperties;
}

/** The will message carried by a CONNECT packet. */
export interface Will {
  /** Topic name. */
  topic: string;
  /** Message body. */
  payload: Uint8Array;
  /** Quality of service level. */
  qos: QoS;
  /** Whether the server keeps the message for future subscribers. */
  retain: boolean;
  /** MQTT 5 properties. */
  properties?: WillProperties;
}

/** Properties of a CONNACK packet (MQTT 5 §3.2.2.3). */
export interface ConnackProperties {
  /** Seconds the session outlives the connection (0: ends with it; 0xFFFFFFFF: never expires). */
  sessionExpiryInterval?: number;
  /** How many QoS 1 and 2 publishes the sender will process concurrently. */
  receiveMaximum?: number;
  /** The highest QoS the server accepts (absent: 2). */
  maximumQoS?: 0 | 1;
  /** Whether the server supports retained messages (absent: true). */
  retainAvailable?: boolean;
  /** The largest packet, in bytes, the sender will accept. */
  maximumPacketSize?: number;
  /** Client identifier the server chose because CONNECT had none. */
  assignedClientIdentifier?: string;
  /** The highest topic alias the sender will accept (0: none). */
  topicAliasMaximum?: number;
  /** Human-readable diagnostic from the peer. */
  reasonString?: string;
  /** Application-defined key/value pairs, in order. */
  userProperties?: UserProperties;
  /** Whether wildcard subscriptions are supported (absent: true). */
  wildcardSubscriptionAvailable?: boolean;
  /** Whether subscription identifiers are supported (absent: true). */
  subscriptionIdentifiersAvailable?: boolean;
  /** Whether shared subscriptions are supported (absent: true). */
  sharedSubscriptionAvailable?: boolean;
  /** Keep-alive, in seconds, the server requires instead of the client's. */
  serverKeepAlive?: number;
  /** Basis the server suggests for response topics. */
  responseInformation?: string;
  /** Another server the client should use. */
  serverReference?: string;
  /** Name of the enhanced authentication method. */
  authenticationMethod?: string;
  /** Data of the enhanced authentication exchange. */
  authenticationData?: Uint8Array;
}

/** Properties of a PUBLISH packet (MQTT 5 §3.3.2.3). */
export interface PublishProperties {
  /** 0: unspecified bytes, 1: UTF-8 character data. */
  payloadFormatIndicator?: 0 | 1;
  /** Seconds the message stays deliverable. */
  messageExpiryInterval?: number;
  /** Number standing for the topic within this connection. */
  topicAlias?: number;
  /** Topic the receiver should answer on. */
  responseTopic?: string;
  /** Bytes that tie a response to its request. */
  correlationData?: Uint8Array;
  /** Application-defined key/value pairs, in order. */
  userProperties?: UserProperties;
  /** A server may send several; a client never sends any [MQTT-3.3.4-6]. */
  subscriptionIdentifiers?: number[];
  /** MIME type of the payload. */
  contentType?: string;
}

/** Properties of PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK. */
export interface AckProperties {
  /** Human-readable diagnostic from the peer. */
  reasonString?: string;
  /** Application-defined key/value pairs, in order. */
  userProperties?: UserProperties;
}

/** Properties of a SUBSCRIBE packet (MQTT 5 §3.8.2.1). */
export interface SubscribeProperties {
  /** Identifier the server echoes on every message this subscription matches. */
  subscriptionIdentifier?: number;
  /** Application-defined key/value pairs, in order. */
  userProperties?: UserProperties;
}

/** Properties of an UNSUBSCRIBE packet (MQTT 5 §3.10.2.1). */
export interface UnsubscribeProperties {
  /** Application-defined key/value pairs, in order. */
  userProperties?: UserProperties;
}

/** Properties of a DISCONNECT packet (MQTT 5 §3.14.2.2). */
export interface DisconnectProperties {
  /** Seconds the session outlives the connection (0: ends with it; 0xFFFFFFFF: never expires). */
  sessionExpiryInterval?: number;
  /** Human-readable diagnostic from the peer. */
  reasonString?: string;
  /** Application-defined key/value pairs, in order. */
  userProperties?: UserProperties;
  /** Another server the client should use. */
  serverReference?: string;
}

/** Properties of an AUTH packet (MQTT 5 §3.15.2.2). */
export interface AuthProperties {
  /** Name of the enhanced authentication method. */
  authenticationMethod?: string;
  /** Data of the enhanced authentication exchange. */
  authenticationData?: Uint8Array;
  /** Human-readable diagnostic from the peer. */
  reasonString?: string;
  /** Application-defined key/value pairs, in order. */
  userProperties?: UserProperties;
}

/** CONNECT: the first packet a client sends. */
export interface ConnectPacket {
  /** Packet type. */
  type: "connect";
  /** Client identifier; empty asks the server to assign one (MQTT 5) or is allowed with a clean session (3.1.1). */
  clientId: string;
  /** Clean Start in MQTT 5, Clean Session in MQTT 3.1.1. */
  cleanStart: boolean;
  /** Seconds; 0 turns keep-alive off. */
  keepAlive: number;
  /** User name for authentication. */
  username?: string;
  /** Password for authentication. */
  password?: Uint8Array;
  /** Message the server publishes if the connection ends without DISCONNECT. */
  will?: Will;
  /** MQTT 5 properties. */
  properties?: ConnectProperties;
}

/** CONNACK: the server's answer to CONNECT. */
export interface ConnackPacket {
  /** Packet type. */
  type: "connack";
  /** Whether the server resumed an existing session. */
  sessionPresent: boolean;
  /** The MQTT 5 reason code, or the MQTT 3.1.1 return code (0 to 5). */
  reasonCode: number;
  /** MQTT 5 properties. */
  properties?: ConnackProperties;
}

/** PUBLISH: an application message. */
export interface PublishPacket {
  /** Packet type. */
  type: "publish";
  /** May be empty in MQTT 5 when `properties.topicAlias` is set. */
  topic: string;
  /** Message body. */
  payload: Uint8Array;
  /** Quality of service level. */
  qos: QoS;
  /** Whether the server keeps the message for future subscribers. */
  retain: boolean;
  /** Whether this is a resend of an earlier attempt. */
  dup: boolean;
  /** Present exactly when `qos` > 0. */
  packetId?: number;
  /** MQTT 5 properties. */
  properties?: PublishProperties;
}

/** The acknowledgements of the QoS 1 and QoS 2 flows. */
export interface PublishAckPacket {
  /** Packet type. */
  type: "puback" | "pubrec" | "pubrel" | "pubcomp";
  /** Packet identifier, 1 to 65535. */
  packetId: number;
  /** MQTT 5 only; 0 (Success) when absent. Always set when decoded. */
  reasonCode?: number;
  /** MQTT 5 properties. */
  properties?: AckProperties;
}

/** One topic filter of a SUBSCRIBE packet with its subscription options. */
export interface Subscription {
  /** Topic filter, possibly with wildcards. */
  topicFilter: string;
  /** Quality of service level. */
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
  /** Packet type. */
  type: "subscribe";
  /** Packet identifier, 1 to 65535. */
  packetId: number;
  /** Requested topic filters and their options, at least one. */
  subscriptions: Subscription[];
  /** MQTT 5 properties. */
  properties?: SubscribeProperties;
}

/** SUBACK: one reason code (or MQTT 3.1.1 return code) per requested filter. */
export interface SubackPacket {
  /** Packet type. */
  type: "suback";
  /** Packet identifier, 1 to 65535. */
  packetId: number;
  /** One code per requested topic filter, in order. */
  reasonCodes: number[];
  /** MQTT 5 properties. */
  properties?: AckProperties;
}

/** UNSUBSCRIBE: one or more topic filters. */
export interface UnsubscribePacket {
  /** Packet type. */
  type: "unsubscribe";
  /** Packet identifier, 1 to 65535. */
  packetId: number;
  /** Topic filters to remove, at least one. */
  topicFilters: string[];
  /** MQTT 5 properties. */
  properties?: UnsubscribeProperties;
}

/** UNSUBACK: in MQTT 5 one reason code per filter; in MQTT 3.1.1 none. */
export interface UnsubackPacket {
  /** Packet type. */
  type: "unsuback";
  /** Packet identifier, 1 to 65535. */
  packetId: number;
  /** Empty in MQTT 3.1.1. */
  reasonCodes: number[];
  /** MQTT 5 properties. */
  properties?: AckProperties;
}

/** PINGREQ and PINGRESP: keep-alive probes. */
export interface PingPacket {
  /** Packet type. */
  type: "pingreq" | "pingresp";
}

/** DISCONNECT: sent by the client, or in MQTT 5 by the server. */
export interface DisconnectPacket {
  /** Packet type. */
  type: "disconnect";
  /** MQTT 5 only; 0 (Normal disconnection) when absent. Always set when decoded. */
  reasonCode?: number;
  /** MQTT 5 properties. */
  properties?: DisconnectProperties;
}

/** AUTH: MQTT 5 enhanced authentication. */
export interface AuthPacket {
  /** Packet type. */
  type: "auth";
  /** 0 Success, 0x18 Continue authentication, 0x19 Re-authenticate. Always set when decoded. */
  reasonCode?: number;
  /** MQTT 5 properties. */
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
