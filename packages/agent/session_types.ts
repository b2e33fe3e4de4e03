import type {
  AckProperties,
  AuthPacket,
  ConnackPacket,
  DisconnectPacket,
  Packet,
  ProtocolVersion,
  PublishProperties,
  QoS,
  SubscribeProperties,
  Subscription,
  UnsubscribeProperties,
  UserProperties,
  Will,
} from "@tern/codec";
import type { SessionStore } from "./session_store.ts";
import type { BrokerLimits } from "./limits.ts";
import type { OfflineQueuePolicy } from "./offline_queue.ts";
import type { NegotiatedSettings } from "./negotiated_settings.ts";
import type { ConnectionClosedError } from "./errors.ts";

/** How the session behaves; every field has a default. */
export interface SessionOptions {
  /** Client identifier; "" asks an MQTT 5 server to assign one. Default "". */
  clientId?: string;
  /** 4 (MQTT 3.1.1) or 5 (MQTT 5.0). Default 5. */
  protocolVersion?: ProtocolVersion;
  /** Keep-alive in seconds, 0 to turn it off. Default 60. */
  keepAlive?: number;
  /**
   * Clean Start (MQTT 5) / Clean Session (3.1.1) for the first connection. Default true.
   * MQTT 5 reconnections after a successful connection always ask to resume (Clean Start 0),
   * so a session with a Session Expiry Interval survives a dropped connection.
   */
  cleanStart?: boolean;
  /**
   * Whether each connection asks to resume the session (Clean Start 0): `clean` never,
   * `rejoinPostSuccess` once a connection of this session succeeded, `rejoinAlways` every
   * time (a process restarting with a durable store, or a broker that persists only sessions
   * created with Clean Start 0, as mosquitto does). Overrides `cleanStart` when set.
   */
  sessionBehavior?: "clean" | "rejoinPostSuccess" | "rejoinAlways";
  /** User name for CONNECT. */
  username?: string;
  /** Password for CONNECT (a string is sent as UTF-8). */
  password?: string | Uint8Array;
  /** The will message, with its MQTT 5 properties (will delay, message expiry, ...). */
  will?: Will;
  /** MQTT 5: seconds the server keeps the session after the connection closes. Default 0. */
  sessionExpiryInterval?: number;
  /** MQTT 5: most unacknowledged QoS 1 / 2 publishes the server may send us. Default 65535. */
  receiveMaximum?: number;
  /**
   * Most QoS 1 / 2 publishes the client keeps unacknowledged at once; MQTT 5 also stays
   * within the server's Receive Maximum. Default 65535 for MQTT 5 (the server announces its
   * limit) and 20 for MQTT 3.1.1, whose servers cannot: mosquitto's default
   * `max_inflight_messages` is 20 and it drops, while acknowledging, publishes beyond it.
   */
  maximumInflight?: number;
  /**
   * Largest packet, in bytes, the client accepts; larger ones close the connection with
   * 0x95 Packet Too Large before they are buffered. MQTT 5 announces it in CONNECT.
   * Default {@linkcode DEFAULT_MAXIMUM_PACKET_SIZE} (16 MiB).
   */
  maximumPacketSize?: number;
  /** MQTT 5: most topic aliases the server may use toward the client. Default 0. */
  topicAliasMaximum?: number;
  /** MQTT 5: pick outbound topic aliases automatically (LRU). Default true. */
  topicAliases?: boolean;
  /** MQTT 5: ask for Response Information in CONNACK. */
  requestResponseInformation?: boolean;
  /** MQTT 5: whether the server may send reason strings and user properties on failures. */
  requestProblemInformation?: boolean;
  /** MQTT 5: user properties of CONNECT. */
  userProperties?: UserProperties;
  /** MQTT 5: the enhanced authentication method; the data comes from the runner. */
  authenticationMethod?: string;
  /**
   * Where in-flight QoS 1 / 2 state is also kept, to be restored by a later session (see
   * {@linkcode MemoryStore}, `SqliteStore`). Default: none; the session keeps it in memory.
   */
  store?: SessionStore;
  /** Milliseconds to wait for CONNACK after CONNECT. Default 30000. */
  connackTimeoutMs?: number;
  /** Milliseconds to wait for PINGRESP. Default: half the keep-alive, at most 30000 (30000 without). */
  pingTimeoutMs?: number;
  /** Milliseconds to wait for an acknowledgement once sent; 0 waits forever. Default 0. */
  ackTimeoutMs?: number;
  /**
   * The broker's limits profile (e.g. `iotCoreLimits` from `@tern/aws`): publishes,
   * subscriptions and the client id are checked before anything is queued (a
   * `BrokerLimitError` otherwise), and outbound PUBLISH packets are throttled to its rates,
   * per connection.
   */
  limits?: BrokerLimits;
  /**
   * What happens to operations not yet sent when the connection is lost, and to new ones
   * while it is: `failQos0PublishOnDisconnect` (default) keeps all but QoS 0 publishes,
   * `failNonQos1PublishOnDisconnect` keeps only QoS 1 / 2 publishes, `failAllOnDisconnect`
   * keeps nothing. Failed operations reject with an `OfflineError`.
   */
  offlineQueuePolicy?: OfflineQueuePolicy;
  /** Most operations waiting to be sent; one more fails at once (`QueueFullError`). Default 10000. */
  maxQueuedOperations?: number;
  /** Most bytes (payload and topic) of operations waiting to be sent. Default 16 MiB. */
  maxQueuedBytes?: number;
  /**
   * Restores every active subscription, ahead of any queued operation, when CONNACK says the
   * server has no session. Default true.
   */
  resubscribe?: boolean;
  /**
   * The size in bytes the session counts for a packet `pollTransmit()` measures without a
   * {@linkcode PacketSink} (Maximum Packet Size, statistics). Default: its encoded size, as
   * the codec measures it. A sink, when given, measures instead.
   */
  packetSize?: (packet: Packet) => number;
}

/**
 * New CONNECT fields for the following connections (fresh credentials, a new will): a field
 * left out keeps its value, `null` removes it.
 */
export interface ConnectUpdate {
  /** User name for CONNECT. */
  username?: string | null;
  /** Password for CONNECT (a string is sent as UTF-8), e.g. a token that expires. */
  password?: string | Uint8Array | null;
  /** The will message. */
  will?: Will | null;
  /** MQTT 5: user properties of CONNECT. */
  userProperties?: UserProperties | null;
}

/** A message to publish. */
export interface OutgoingMessage {
  /** Topic name, without wildcards. */
  topic: string;
  /** Payload bytes. */
  payload: Uint8Array;
  /** Quality of service. Default 0. */
  qos?: QoS;
  /** Ask the server to retain the message. Default false. */
  retain?: boolean;
  /** MQTT 5 properties; topic aliases are chosen by the session, not here. */
  properties?: PublishProperties;
}

/** A SUBSCRIBE request. */
export interface SubscribeRequest {
  /** One or more topic filters with their options. */
  subscriptions: Subscription[];
  /** MQTT 5 properties: subscription identifier and user properties. */
  properties?: SubscribeProperties;
}

/** An UNSUBSCRIBE request. */
export interface UnsubscribeRequest {
  /** One or more topic filters. */
  topicFilters: string[];
  /** MQTT 5 user properties. */
  properties?: UnsubscribeProperties;
}

/** A message received from the server. */
export interface InboundMessage {
  /** Topic name (topic aliases already resolved). */
  topic: string;
  /** Payload bytes. */
  payload: Uint8Array;
  /** QoS it was delivered with. */
  qos: QoS;
  /** RETAIN flag as received. */
  retain: boolean;
  /** DUP flag as received. */
  dup: boolean;
  /** MQTT 5 properties as received. */
  properties?: PublishProperties;
}

/** How a publish completed: the PUBACK or PUBREC reason code (0 for QoS 0). */
export interface PublishResult {
  /** 0x00 Success or 0x10 No matching subscribers (failures reject instead). */
  reasonCode: number;
  /** Reason string and user properties of the acknowledgement. */
  properties?: AckProperties;
}

/** How a SUBSCRIBE or UNSUBSCRIBE completed: one reason code per filter, in request order. */
export interface SubscriptionResult {
  /**
   * Per filter: the granted QoS (0 to 2) or a failure code (0x80 and above). MQTT 3.1.1
   * UNSUBACK carries no codes, so every filter reads 0x00 Success.
   */
  reasonCodes: number[];
  /** Reason string and user properties of SUBACK / UNSUBACK. */
  properties?: AckProperties;
}

/** How a ping completed. */
export interface PingResult {
  /** Milliseconds from writing the PINGREQ to reading its PINGRESP. */
  roundTripMs: number;
}

/** What a completed operation resolved with. */
export type OperationResult = PublishResult | SubscriptionResult | PingResult;

/** An event the session reports; pulled with `pollEvent()`. */
export type SessionEvent =
  /** CONNACK accepted the connection. */
  | { type: "connectionsuccess"; connack: ConnackPacket; settings: NegotiatedSettings }
  /**
   * The connection ended before CONNACK accepted it; the runner closes the transport.
   * `connack`: the CONNACK that refused it, when one did.
   */
  | { type: "connectionfailure"; error: Error; connack?: ConnackPacket }
  /**
   * An accepted connection ended; the runner flushes what was polled, then closes.
   * `disconnect`: the server's DISCONNECT, when it sent one.
   */
  | { type: "disconnection"; error: ConnectionClosedError; disconnect?: DisconnectPacket }
  /** An application message arrived (inbound QoS 2: exactly once). */
  | { type: "message"; message: InboundMessage }
  /** Operation `operation` completed. */
  | { type: "completed"; operation: number; result: OperationResult }
  /** Operation `operation` failed. */
  | { type: "failed"; operation: number; error: Error }
  /** MQTT 5 enhanced authentication: the server sent AUTH (continue, or re-auth success). */
  | { type: "auth"; packet: AuthPacket };

/** A packet to write, and the operation it carries (for "sent" notifications). */
export interface Transmit {
  /** The packet to encode and write. */
  packet: Packet;
  /** The operation whose packet this is, when it is one. */
  operation?: number;
}

/**
 * Where `pollTransmit()` encodes the packets it returns (quinn's `poll_transmit` buffer): the
 * session stages each packet, which measures it, and commits the ones it sends. A packet
 * staged and not committed (too large for the server, say) is overwritten by the next.
 */
export interface PacketSink {
  /** Encodes `packet` after the committed bytes, without keeping it; returns its size. */
  stage(packet: Packet, version: ProtocolVersion): number;
  /** Keeps the packet staged last. */
  commit(): void;
}

/** Operation counts and sizes, as the AWS IoT SDK reports them. */
export interface SessionStats {
  /** Operations accepted and not yet completed (queued or awaiting acknowledgement). */
  incompleteOperationCount: number;
  /** Encoded bytes of those operations. */
  incompleteOperationSize: number;
  /** Operations sent and awaiting acknowledgement. */
  unackedOperationCount: number;
  /** Encoded bytes of those operations. */
  unackedOperationSize: number;
}

/** Where the session stands on the current connection. */
export type SessionState = "disconnected" | "connecting" | "connected";
