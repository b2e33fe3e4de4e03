// The MQTT 5 properties (§2.2.2.2): identifier, spec name in camelCase, data type.

/** How a property's value is encoded. */
export type PropertyKind =
  | "byte"
  | "flag"
  | "u16"
  | "u32"
  | "varint"
  | "string"
  | "binary"
  | "pair";

/** One MQTT 5 property. */
export interface PropertyDefinition {
  readonly id: number;
  readonly name: string;
  readonly kind: PropertyKind;
}

function property(id: number, name: string, kind: PropertyKind): PropertyDefinition {
  return { id, name, kind };
}

export const PAYLOAD_FORMAT_INDICATOR = property(0x01, "payloadFormatIndicator", "byte");
export const MESSAGE_EXPIRY_INTERVAL = property(0x02, "messageExpiryInterval", "u32");
export const CONTENT_TYPE = property(0x03, "contentType", "string");
export const RESPONSE_TOPIC = property(0x08, "responseTopic", "string");
export const CORRELATION_DATA = property(0x09, "correlationData", "binary");
export const SUBSCRIPTION_IDENTIFIER = property(0x0b, "subscriptionIdentifier", "varint");
export const SESSION_EXPIRY_INTERVAL = property(0x11, "sessionExpiryInterval", "u32");
export const ASSIGNED_CLIENT_IDENTIFIER = property(0x12, "assignedClientIdentifier", "string");
export const SERVER_KEEP_ALIVE = property(0x13, "serverKeepAlive", "u16");
export const AUTHENTICATION_METHOD = property(0x15, "authenticationMethod", "string");
export const AUTHENTICATION_DATA = property(0x16, "authenticationData", "binary");
export const REQUEST_PROBLEM_INFORMATION = property(0x17, "requestProblemInformation", "flag");
export const WILL_DELAY_INTERVAL = property(0x18, "willDelayInterval", "u32");
export const REQUEST_RESPONSE_INFORMATION = property(0x19, "requestResponseInformation", "flag");
export const RESPONSE_INFORMATION = property(0x1a, "responseInformation", "string");
export const SERVER_REFERENCE = property(0x1c, "serverReference", "string");
export const REASON_STRING = property(0x1f, "reasonString", "string");
export const RECEIVE_MAXIMUM = property(0x21, "receiveMaximum", "u16");
export const TOPIC_ALIAS_MAXIMUM = property(0x22, "topicAliasMaximum", "u16");
export const TOPIC_ALIAS = property(0x23, "topicAlias", "u16");
export const MAXIMUM_QOS = property(0x24, "maximumQoS", "byte");
export const RETAIN_AVAILABLE = property(0x25, "retainAvailable", "flag");
export const USER_PROPERTY = property(0x26, "userProperties", "pair");
export const MAXIMUM_PACKET_SIZE = property(0x27, "maximumPacketSize", "u32");
export const WILDCARD_SUBSCRIPTION_AVAILABLE = property(
  0x28,
  "wildcardSubscriptionAvailable",
  "flag",
);
export const SUBSCRIPTION_IDENTIFIERS_AVAILABLE = property(
  0x29,
  "subscriptionIdentifiersAvailable",
  "flag",
);
export const SHARED_SUBSCRIPTION_AVAILABLE = property(0x2a, "sharedSubscriptionAvailable", "flag");

/** Properties by identifier. */
export const PROPERTIES_BY_ID: ReadonlyMap<number, PropertyDefinition> = new Map(
  [
    PAYLOAD_FORMAT_INDICATOR,
    MESSAGE_EXPIRY_INTERVAL,
    CONTENT_TYPE,
    RESPONSE_TOPIC,
    CORRELATION_DATA,
    SUBSCRIPTION_IDENTIFIER,
    SESSION_EXPIRY_INTERVAL,
    ASSIGNED_CLIENT_IDENTIFIER,
    SERVER_KEEP_ALIVE,
    AUTHENTICATION_METHOD,
    AUTHENTICATION_DATA,
    REQUEST_PROBLEM_INFORMATION,
    WILL_DELAY_INTERVAL,
    REQUEST_RESPONSE_INFORMATION,
    RESPONSE_INFORMATION,
    SERVER_REFERENCE,
    REASON_STRING,
    RECEIVE_MAXIMUM,
    TOPIC_ALIAS_MAXIMUM,
    TOPIC_ALIAS,
    MAXIMUM_QOS,
    RETAIN_AVAILABLE,
    USER_PROPERTY,
    MAXIMUM_PACKET_SIZE,
    WILDCARD_SUBSCRIPTION_AVAILABLE,
    SUBSCRIPTION_IDENTIFIERS_AVAILABLE,
    SHARED_SUBSCRIPTION_AVAILABLE,
  ].map((definition) => [definition.id, definition]),
);

/**
 * The properties each packet may carry, in the order the encoder writes them (the order
 * the specification lists them). "will" is the will message inside CONNECT. A Map: a
 * keyed load by packet type on an object literal would be megamorphic in V8.
 */
export const PROPERTIES_OF: ReadonlyMap<string, readonly PropertyDefinition[]> = new Map(
  Object.entries({
    connect: [
      SESSION_EXPIRY_INTERVAL,
      RECEIVE_MAXIMUM,
      MAXIMUM_PACKET_SIZE,
      TOPIC_ALIAS_MAXIMUM,
      REQUEST_RESPONSE_INFORMATION,
      REQUEST_PROBLEM_INFORMATION,
      USER_PROPERTY,
      AUTHENTICATION_METHOD,
      AUTHENTICATION_DATA,
    ],
    will: [
      WILL_DELAY_INTERVAL,
      PAYLOAD_FORMAT_INDICATOR,
      MESSAGE_EXPIRY_INTERVAL,
      CONTENT_TYPE,
      RESPONSE_TOPIC,
      CORRELATION_DATA,
      USER_PROPERTY,
    ],
    connack: [
      SESSION_EXPIRY_INTERVAL,
      RECEIVE_MAXIMUM,
      MAXIMUM_QOS,
      RETAIN_AVAILABLE,
      MAXIMUM_PACKET_SIZE,
      ASSIGNED_CLIENT_IDENTIFIER,
      TOPIC_ALIAS_MAXIMUM,
      REASON_STRING,
      USER_PROPERTY,
      WILDCARD_SUBSCRIPTION_AVAILABLE,
      SUBSCRIPTION_IDENTIFIERS_AVAILABLE,
      SHARED_SUBSCRIPTION_AVAILABLE,
      SERVER_KEEP_ALIVE,
      RESPONSE_INFORMATION,
      SERVER_REFERENCE,
      AUTHENTICATION_METHOD,
      AUTHENTICATION_DATA,
    ],
    publish: [
      PAYLOAD_FORMAT_INDICATOR,
      MESSAGE_EXPIRY_INTERVAL,
      TOPIC_ALIAS,
      RESPONSE_TOPIC,
      CORRELATION_DATA,
      USER_PROPERTY,
      SUBSCRIPTION_IDENTIFIER,
      CONTENT_TYPE,
    ],
    puback: [REASON_STRING, USER_PROPERTY],
    pubrec: [REASON_STRING, USER_PROPERTY],
    pubrel: [REASON_STRING, USER_PROPERTY],
    pubcomp: [REASON_STRING, USER_PROPERTY],
    subscribe: [SUBSCRIPTION_IDENTIFIER, USER_PROPERTY],
    suback: [REASON_STRING, USER_PROPERTY],
    unsubscribe: [USER_PROPERTY],
    unsuback: [REASON_STRING, USER_PROPERTY],
    disconnect: [SESSION_EXPIRY_INTERVAL, REASON_STRING, USER_PROPERTY, SERVER_REFERENCE],
    auth: [AUTHENTICATION_METHOD, AUTHENTICATION_DATA, REASON_STRING, USER_PROPERTY],
  }),
);

/**
 * For each packet kind, the key of each property in the packet's `properties` object and
 * its index in {@linkcode PROPERTIES_OF}: the encoder walks the keys an object has rather
 * than every property the packet may carry. A PUBLISH lists its subscription identifiers
 * under `subscriptionIdentifiers`.
 */
export const PROPERTY_KEYS_OF: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map(
  [...PROPERTIES_OF].map(([kind, definitions]) => [
    kind,
    new Map(definitions.map((definition, index) => [
      kind === "publish" && definition === SUBSCRIPTION_IDENTIFIER
        ? "subscriptionIdentifiers"
        : definition.name,
      index,
    ])),
  ]),
);
