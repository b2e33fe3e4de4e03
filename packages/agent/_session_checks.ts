/**
 * Checks of the session's options, of each command's arguments (before it is queued), and
 * of commands against what the server announced (before they leave).
 */
import { MAX_PACKET_SIZE, MAX_VARIABLE_BYTE_INTEGER } from "@tern/codec";
import type {
  ConnectPacket,
  DisconnectPacket,
  DisconnectProperties,
  ProtocolVersion,
  PublishPacket,
  SubscribePacket,
  UnsubscribePacket,
} from "@tern/codec";
import { ReasonCodeError } from "./errors.ts";
import type { Limiter } from "./limits.ts";
import type { NegotiatedSettings } from "./negotiated_settings.ts";
import type {
  OutgoingMessage,
  SessionOptions,
  SubscribeRequest,
  UnsubscribeRequest,
} from "./session_types.ts";
import {
  checkInteger,
  checkQoS,
  checkString,
  checkTopicFilter,
  checkTopicName,
  hasWildcard,
} from "./_validate.ts";

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
      MAX_PACKET_SIZE,
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

/**
 * Throws a TypeError / RangeError on a bad `publish()` argument, or a `BrokerLimitError`
 * past `limits`. Returns the approximate size queued (payload and topic).
 */
export function checkPublish(
  message: OutgoingMessage,
  version: ProtocolVersion,
  limits: Limiter | undefined,
): number {
  const action = "publish";
  checkTopicName(action, message.topic);
  if (!(message.payload instanceof Uint8Array)) {
    throw new TypeError(`Cannot publish to "${message.topic}": payload must be a Uint8Array`);
  }
  const qos = message.qos ?? 0;
  checkQoS(action, qos);
  const properties = message.properties;
  if (properties !== undefined) {
    requireV5(version, action, "properties");
    if (properties.topicAlias !== undefined) {
      throw new TypeError(
        "Cannot publish: topicAlias is chosen by the client (set topicAliases: false to turn it off)",
      );
    }
    if (properties.subscriptionIdentifiers !== undefined) {
      // [MQTT-3.3.4-6] Only the server sends subscription identifiers.
      throw new TypeError("Cannot publish: subscriptionIdentifiers are set only by the server");
    }
    if (properties.messageExpiryInterval !== undefined) {
      checkInteger(
        action,
        "messageExpiryInterval",
        properties.messageExpiryInterval,
        0,
        0xffffffff,
      );
    }
    if (properties.responseTopic !== undefined) checkTopicName(action, properties.responseTopic);
  }
  limits?.checkPublish({ topic: message.topic, payloadBytes: message.payload.length, qos });
  return message.payload.length + message.topic.length;
}

/** Throws on a bad `subscribe()` argument; returns the approximate size queued. */
export function checkSubscribe(
  request: SubscribeRequest,
  version: ProtocolVersion,
  limits: Limiter | undefined,
): number {
  const action = "subscribe";
  if (!Array.isArray(request.subscriptions) || request.subscriptions.length === 0) {
    throw new TypeError("Cannot subscribe: at least one topic filter is required");
  }
  let size = 0;
  for (const subscription of request.subscriptions) {
    checkTopicFilter(action, subscription.topicFilter);
    checkQoS(action, subscription.qos);
    size += subscription.topicFilter.length + 1;
    const { noLocal, retainAsPublished, retainHandling } = subscription;
    if (noLocal || retainAsPublished || retainHandling) {
      requireV5(version, action, "subscription options");
    }
    if (retainHandling !== undefined) {
      checkInteger(action, "retainHandling", retainHandling, 0, 2);
    }
    if (noLocal && subscription.topicFilter.startsWith("$share/")) {
      // [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error.
      throw new TypeError(
        `Cannot subscribe: noLocal is not allowed on shared subscription "${subscription.topicFilter}"`,
      );
    }
  }
  limits?.checkSubscribe(request.subscriptions);
  if (request.properties !== undefined) {
    requireV5(version, action, "properties");
    const id = request.properties.subscriptionIdentifier;
    if (id !== undefined) {
      checkInteger(action, "subscriptionIdentifier", id, 1, MAX_VARIABLE_BYTE_INTEGER);
    }
  }
  return size;
}

/** Throws on a bad `unsubscribe()` argument; returns the approximate size queued. */
export function checkUnsubscribe(
  request: UnsubscribeRequest,
  version: ProtocolVersion,
  limits: Limiter | undefined,
): number {
  const action = "unsubscribe";
  if (!Array.isArray(request.topicFilters) || request.topicFilters.length === 0) {
    throw new TypeError("Cannot unsubscribe: at least one topic filter is required");
  }
  let size = 0;
  for (const filter of request.topicFilters) {
    checkTopicFilter(action, filter);
    size += filter.length;
  }
  limits?.checkUnsubscribe(request.topicFilters);
  if (request.properties !== undefined) requireV5(version, action, "properties");
  return size;
}

function requireV5(version: ProtocolVersion, action: string, what: string): void {
  if (version !== 5) throw new TypeError(`Cannot ${action}: ${what} need MQTT 5`);
}

/** Throws on a bad `disconnect()` argument; returns the DISCONNECT to send. */
export function checkDisconnect(
  options: { reasonCode?: number; properties?: DisconnectProperties },
  version: ProtocolVersion,
  connect: ConnectPacket | undefined,
): DisconnectPacket {
  const reasonCode = options.reasonCode ?? 0;
  checkInteger("disconnect", "reasonCode", reasonCode, 0, 255);
  if (version === 4 && (reasonCode !== 0 || options.properties !== undefined)) {
    throw new TypeError("Cannot disconnect: a reason code and properties need MQTT 5");
  }
  const expiry = options.properties?.sessionExpiryInterval;
  if (expiry !== undefined && expiry !== 0 && !connect?.properties?.sessionExpiryInterval) {
    // [MQTT-3.14.2-2] A session that CONNECT gave expiry 0 cannot be extended on DISCONNECT.
    throw new TypeError(
      "Cannot disconnect: sessionExpiryInterval cannot be set when CONNECT asked for 0",
    );
  }
  return version === 5
    ? { type: "disconnect", reasonCode, properties: options.properties }
    : { type: "disconnect" };
}

/** Checks the client id and will of CONNECT against the broker's `limits`, when given. */
export function checkConnectLimits(
  limits: Limiter | undefined,
  clientId: string,
  options: SessionOptions,
): void {
  const will = options.will;
  limits?.checkConnect({
    clientId,
    will: will && { topic: will.topic, payloadBytes: will.payload.length, qos: will.qos },
  });
}
