import { MAX_PACKET_SIZE } from "@tern/codec";
import type { ConnackPacket, ConnectPacket, ProtocolVersion, QoS } from "@tern/codec";

/**
 * What client and server agreed on for one connection: the CONNACK's properties with the
 * specification's defaults filled in (MQTT 5 §3.2.2.3), or the fixed MQTT 3.1.1 values.
 */
export interface NegotiatedSettings {
  /** 4 (MQTT 3.1.1) or 5. */
  protocolVersion: ProtocolVersion;
  /** The client identifier in use: the one sent, or the server-assigned one. */
  clientId: string;
  /** Whether the server resumed an existing session (CONNACK Session Present). */
  rejoinedSession: boolean;
  /** Highest QoS the server accepts in PUBLISH. */
  maximumQoS: QoS;
  /** Seconds the server keeps the session after the connection closes. */
  sessionExpiryInterval: number;
  /** Keep-alive in effect, in seconds: the server's Server Keep Alive when it sent one. */
  keepAlive: number;
  /** Most QoS 1 / 2 publishes the client may have unacknowledged at the server. */
  receiveMaximumToServer: number;
  /** Largest packet, in bytes, the server accepts (unlimited when it sent none). */
  maximumPacketSizeToServer: number;
  /** Most topic aliases the client may use when publishing. */
  topicAliasMaximumToServer: number;
  /** Most topic aliases the server may use when delivering (the client's CONNECT value). */
  topicAliasMaximumToClient: number;
  /** Whether the server accepts retained messages. */
  retainAvailable: boolean;
  /** Whether the server accepts wildcard subscriptions. */
  wildcardSubscriptionsAvailable: boolean;
  /** Whether the server accepts subscription identifiers. */
  subscriptionIdentifiersAvailable: boolean;
  /** Whether the server accepts shared subscriptions. */
  sharedSubscriptionsAvailable: boolean;
  /** The server's Response Information, when requested and sent. */
  responseInformation?: string;
}

/**
 * Computes the settings of a connection from the CONNECT sent and the CONNACK received.
 *
 * @example Defaults for a bare MQTT 5 CONNACK
 * ```ts
 * import { negotiateSettings } from "@tern/agent";
 *
 * const settings = negotiateSettings(
 *   { type: "connect", clientId: "c1", cleanStart: true, keepAlive: 60 },
 *   { type: "connack", sessionPresent: false, reasonCode: 0, properties: { receiveMaximum: 20 } },
 *   5,
 * );
 * console.log(settings.receiveMaximumToServer, settings.maximumQoS); // 20 2
 * ```
 */
export function negotiateSettings(
  connect: ConnectPacket,
  connack: ConnackPacket,
  protocolVersion: ProtocolVersion,
): NegotiatedSettings {
  const props = protocolVersion === 5 ? connack.properties ?? {} : {};
  return {
    protocolVersion,
    clientId: props.assignedClientIdentifier ?? connect.clientId,
    rejoinedSession: connack.sessionPresent,
    maximumQoS: props.maximumQoS ?? 2,
    sessionExpiryInterval: props.sessionExpiryInterval ??
      connect.properties?.sessionExpiryInterval ?? 0,
    keepAlive: props.serverKeepAlive ?? connect.keepAlive,
    receiveMaximumToServer: props.receiveMaximum ?? 65_535,
    maximumPacketSizeToServer: props.maximumPacketSize ?? MAX_PACKET_SIZE,
    topicAliasMaximumToServer: props.topicAliasMaximum ?? 0,
    topicAliasMaximumToClient: connect.properties?.topicAliasMaximum ?? 0,
    retainAvailable: props.retainAvailable ?? true,
    wildcardSubscriptionsAvailable: props.wildcardSubscriptionAvailable ?? true,
    subscriptionIdentifiersAvailable: protocolVersion === 5 &&
      (props.subscriptionIdentifiersAvailable ?? true),
    sharedSubscriptionsAvailable: props.sharedSubscriptionAvailable ?? true,
    responseInformation: props.responseInformation,
  };
}
