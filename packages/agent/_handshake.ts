/**
 * The CONNECT / CONNACK handshake, as pure functions: what CONNECT says, what a CONNACK
 * means (a refusal, a protocol violation, or the settings of an accepted connection), and at
 * the other end what the server's DISCONNECT means.
 */
import { ConnectReturnCode, reasonCodeName } from "@tern/codec";
import type {
  ConnackPacket,
  ConnectPacket,
  ConnectProperties,
  DisconnectPacket,
  ProtocolVersion,
} from "@tern/codec";
import { ConnectionClosedError, ConnectionRefusedError } from "./errors.ts";
import { type NegotiatedSettings, negotiateSettings } from "./negotiated_settings.ts";
import type { ResolvedOptions } from "./_session_options.ts";

/** What the session knows when it opens a connection. */
export interface ConnectState {
  /** The client identifier: as configured, or as the server assigned it before. */
  clientId: string;
  /** Whether a connection of this session was accepted before. */
  everConnected: boolean;
  /** The authenticator's initial data (MQTT 5 enhanced authentication). */
  authenticationData?: Uint8Array;
}

/** The CONNECT packet for the next connection. */
export function buildConnect(options: ResolvedOptions, state: ConnectState): ConnectPacket {
  const o = options;
  const v5 = o.protocolVersion === 5;
  const properties: ConnectProperties = {};
  if (v5) {
    if (o.sessionExpiryInterval) properties.sessionExpiryInterval = o.sessionExpiryInterval;
    if (o.receiveMaximum !== undefined) properties.receiveMaximum = o.receiveMaximum;
    properties.maximumPacketSize = o.maximumPacketSize;
    if (o.topicAliasMaximum) properties.topicAliasMaximum = o.topicAliasMaximum;
    if (o.requestResponseInformation !== undefined) {
      properties.requestResponseInformation = o.requestResponseInformation;
    }
    if (o.requestProblemInformation !== undefined) {
      properties.requestProblemInformation = o.requestProblemInformation;
    }
    if (o.userProperties !== undefined) properties.userProperties = o.userProperties;
    if (o.authenticationMethod !== undefined) {
      properties.authenticationMethod = o.authenticationMethod;
      if (state.authenticationData) properties.authenticationData = state.authenticationData;
    }
  }
  const password = typeof o.password === "string"
    ? new TextEncoder().encode(o.password)
    : o.password;
  return {
    type: "connect",
    clientId: state.clientId,
    cleanStart: cleanStartFor(o, v5, state.everConnected),
    keepAlive: o.keepAlive,
    username: o.username,
    password,
    will: o.will,
    properties: Object.keys(properties).length > 0 ? properties : undefined,
  };
}

/** What a CONNACK means. */
export type ConnackOutcome =
  /** The server refused the connection. */
  | { refused: ConnectionRefusedError }
  /** The CONNACK breaks the protocol (reason code 0x82 Protocol Error). */
  | { violation: string }
  /** The connection is accepted with these settings. */
  | { settings: NegotiatedSettings };

/**
 * Judges the server's answer to `connect`: refused, a protocol violation, or accepted with
 * the negotiated settings, Receive Maximum capped by `maximumInflight`.
 */
export function acceptConnack(
  packet: ConnackPacket,
  connect: ConnectPacket,
  options: ResolvedOptions,
): ConnackOutcome {
  const v5 = options.protocolVersion === 5;
  const props = v5 ? packet.properties ?? {} : {};
  const refused = v5 ? packet.reasonCode >= 0x80 : packet.reasonCode !== 0;
  if (refused) {
    if (packet.sessionPresent) {
      // [MQTT-3.2.2-6] A refusing CONNACK has Session Present 0.
      return { violation: "CONNACK refused the connection but set Session Present" };
    }
    const why = v5 ? reasonCodeName(packet.reasonCode) : connectReturnCodeName(packet.reasonCode);
    return {
      refused: new ConnectionRefusedError(
        `Cannot connect: the server refused with ${why}${
          props.reasonString ? `: ${props.reasonString}` : ""
        }`,
        {
          reasonCode: packet.reasonCode,
          reasonString: props.reasonString,
          userProperties: props.userProperties,
          serverReference: props.serverReference,
        },
      ),
    };
  }
  const violation = connackViolation(packet, connect, options.authenticationMethod);
  if (violation) return { violation };
  const negotiated = negotiateSettings(connect, packet, options.protocolVersion);
  return {
    settings: {
      ...negotiated,
      // [MQTT-4.9.0-2] The server's Receive Maximum, within the client's own cap.
      receiveMaximumToServer: Math.min(
        negotiated.receiveMaximumToServer,
        options.maximumInflight,
      ),
    },
  };
}

/**
 * What is wrong with a CONNACK that accepted the connection (a protocol error, reason code
 * 0x82), or undefined when nothing is.
 */
export function connackViolation(
  packet: ConnackPacket,
  connect: ConnectPacket,
  authenticationMethod: string | undefined,
): string | undefined {
  const props = packet.properties ?? {};
  if (packet.reasonCode !== 0) {
    return `CONNACK carries reason code ${packet.reasonCode}, not a CONNACK code`;
  }
  // [MQTT-3.2.2-2] Clean Start 1 means Session Present 0.
  if (connect.cleanStart && packet.sessionPresent) {
    return "CONNACK set Session Present although Clean Start was requested";
  }
  if (props.receiveMaximum === 0 || props.maximumPacketSize === 0) {
    return "CONNACK has a Receive Maximum or Maximum Packet Size of 0";
  }
  if (
    props.authenticationMethod !== undefined && props.authenticationMethod !== authenticationMethod
  ) {
    return "CONNACK names an authentication method the client did not ask for";
  }
  return undefined;
}

/**
 * The error a server's DISCONNECT ends the connection with, or the protocol violation it is
 * (reason code 0x82).
 */
export function acceptDisconnect(
  packet: DisconnectPacket,
  version: ProtocolVersion,
): ConnectionClosedError | string {
  if (version === 4) return "Unexpected DISCONNECT: an MQTT 3.1.1 server never sends it";
  const props = packet.properties ?? {};
  if (props.sessionExpiryInterval !== undefined) {
    // [MQTT-3.14.2-2] A server must not send Session Expiry Interval in DISCONNECT.
    return "Server DISCONNECT carries a Session Expiry Interval";
  }
  const reasonCode = packet.reasonCode ?? 0;
  const { reasonString, userProperties, serverReference } = props;
  return new ConnectionClosedError(
    `Connection closed: the server sent DISCONNECT with ${reasonCodeName(reasonCode)}${
      reasonString ? `: ${reasonString}` : ""
    }`,
    { reasonCode, reasonString, userProperties, serverReference, byServer: true },
  );
}

/** Clean Start for the next CONNECT, by `sessionBehavior` or else by `cleanStart`. */
function cleanStartFor(options: ResolvedOptions, v5: boolean, everConnected: boolean): boolean {
  switch (options.sessionBehavior) {
    case "clean":
      return true;
    case "rejoinPostSuccess":
      return !everConnected;
    case "rejoinAlways":
      return false;
    default:
      return v5 && everConnected ? false : options.cleanStart ?? true;
  }
}

function connectReturnCodeName(code: number): string {
  const entry = Object.entries(ConnectReturnCode).find(([, value]) => value === code);
  return entry ? entry[0] : `return code ${code}`;
}
