/** Checks of the session's options, and of commands against what the server announced. */
import type {
  ConnackPacket,
  ConnectPacket,
  PublishPacket,
  SubscribePacket,
  UnsubscribePacket,
} from "@tern/codec";
import { ReasonCodeError } from "./errors.ts";
import type { NegotiatedSettings } from "./negotiated_settings.ts";
import type { SessionOptions } from "./session_types.ts";
import { checkInteger, checkQoS, checkString, checkTopicName, hasWildcard } from "./_validate.ts";

const MAX_VARIABLE_BYTE_INTEGER = 268_435_455;

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

/** Whether the server announced it would not accept this packet (MQTT 5 CONNACK properties). */
export function refuse(
  packet: PublishPacket | SubscribePacket | UnsubscribePacket,
  settings: NegotiatedSettings,
): ReasonCodeError | undefined {
  if (packet.type === "publish") {
    if (packet.qos > settings.maximumQoS) {
      return new ReasonCodeError(
        `Cannot publish to "${packet.topic}": QoS ${packet.qos} exceeds the server's maximum QoS ${settings.maximumQoS}`,
        { reasonCode: 0x9b },
      );
    }
    if (packet.retain && !settings.retainAvailable) {
      return new ReasonCodeError(
        `Cannot publish to "${packet.topic}": the server does not support retained messages`,
        { reasonCode: 0x9a },
      );
    }
    return undefined;
  }
  if (packet.type !== "subscribe") return undefined;
  if (
    packet.properties?.subscriptionIdentifier !== undefined &&
    !settings.subscriptionIdentifiersAvailable
  ) {
    return new ReasonCodeError(
      "Cannot subscribe: the server does not support subscription identifiers",
      { reasonCode: 0xa1 },
    );
  }
  for (const { topicFilter } of packet.subscriptions) {
    const shared = topicFilter.startsWith("$share/");
    if (shared && !settings.sharedSubscriptionsAvailable) {
      return new ReasonCodeError(
        `Cannot subscribe to "${topicFilter}": the server does not support shared subscriptions`,
        { reasonCode: 0x9e },
      );
    }
    if (hasWildcard(topicFilter) && !settings.wildcardSubscriptionsAvailable) {
      return new ReasonCodeError(
        `Cannot subscribe to "${topicFilter}": the server does not support wildcard subscriptions`,
        { reasonCode: 0xa2 },
      );
    }
  }
  return undefined;
}

export function checkOptions(options: SessionOptions, action = "create session"): void {
  const version = options.protocolVersion ?? 5;
  if (version !== 4 && version !== 5) {
    throw new RangeError(
      `Cannot ${action}: protocolVersion must be 4 or 5, got ${String(version)}`,
    );
  }
  const clientId = options.clientId ?? "";
  checkString(action, "clientId", clientId);
  const behavior = options.sessionBehavior;
  if (
    behavior !== undefined && behavior !== "clean" && behavior !== "rejoinPostSuccess" &&
    behavior !== "rejoinAlways"
  ) {
    throw new TypeError(
      `Cannot ${action}: sessionBehavior must be "clean", "rejoinPostSuccess" or "rejoinAlways", got ${
        String(behavior)
      }`,
    );
  }
  const rejoins = behavior === undefined ? options.cleanStart === false : behavior !== "clean";
  if (version === 4 && clientId === "" && rejoins) {
    // [MQTT-3.1.3-7] An empty client id needs Clean Session 1.
    throw new TypeError(`Cannot ${action}: an empty clientId needs cleanStart true in MQTT 3.1.1`);
  }
  if (options.keepAlive !== undefined) {
    checkInteger(action, "keepAlive", options.keepAlive, 0, 65_535);
  }
  const v5Only = [
    "sessionExpiryInterval",
    "receiveMaximum",
    "maximumPacketSize",
    "topicAliasMaximum",
    "requestResponseInformation",
    "requestProblemInformation",
    "userProperties",
    "authenticationMethod",
  ] as const;
  if (version === 4) {
    for (const key of v5Only) {
      if (options[key] !== undefined) throw new TypeError(`Cannot ${action}: ${key} needs MQTT 5`);
    }
    if (options.will?.properties !== undefined) {
      throw new TypeError(`Cannot ${action}: will properties need MQTT 5`);
    }
  }
  if (options.sessionExpiryInterval !== undefined) {
    checkInteger(action, "sessionExpiryInterval", options.sessionExpiryInterval, 0, 0xffffffff);
  }
  if (options.receiveMaximum !== undefined) {
    checkInteger(action, "receiveMaximum", options.receiveMaximum, 1, 65_535);
  }
  if (options.maximumPacketSize !== undefined) {
    checkInteger(
      action,
      "maximumPacketSize",
      options.maximumPacketSize,
      1,
      MAX_VARIABLE_BYTE_INTEGER + 5,
    );
  }
  if (options.maximumInflight !== undefined) {
    checkInteger(action, "maximumInflight", options.maximumInflight, 1, 65_535);
  }
  if (options.topicAliasMaximum !== undefined) {
    checkInteger(action, "topicAliasMaximum", options.topicAliasMaximum, 0, 65_535);
  }
  if (options.will !== undefined) {
    checkTopicName(action, options.will.topic);
    checkQoS(action, options.will.qos);
  }
  if (options.username !== undefined) checkString(action, "username", options.username);
  for (const key of ["connackTimeoutMs", "pingTimeoutMs", "ackTimeoutMs"] as const) {
    const value = options[key];
    if (value !== undefined) checkInteger(action, key, value, 0, 2_147_483_647);
  }
}
