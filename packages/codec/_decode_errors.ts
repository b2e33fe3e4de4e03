// Turns the decoder's error codes (codec-wasm/assembly/errors.ts) into error objects whose
// messages name the packet, the field and the byte offset.
import { MalformedPacketError, ProtocolError } from "./errors.ts";
import { PACKET_TYPES } from "./_packet_types.ts";
import { PROPERTIES_BY_ID } from "./_properties.ts";
import * as abi from "./_wasm_abi.ts";

const MALFORMED = 0x81;
const PROTOCOL = 0x82;

// [code]: [description, reason code]. Typed by the generated ErrorCode, so that a code the
// decoder gains does not compile until it has a message here.
const ERRORS: Record<abi.ErrorCode, [string, number]> = {
  [abi.E_RESERVED_FLAGS]: [
    "reserved fixed header flags are not as the specification requires",
    MALFORMED,
  ],
  [abi.E_QOS3]: ["QoS is 3", MALFORMED],
  [abi.E_VARINT]: ["remaining length is longer than 4 bytes", MALFORMED],
  [abi.E_TOO_LARGE]: ["packet is larger than the maximum packet size", 0x95],
  [abi.E_TRUNCATED]: ["field runs past the end of the packet", MALFORMED],
  [abi.E_TRAILING]: ["unexpected bytes after the last field", MALFORMED],
  [abi.E_UTF8_INVALID]: ["string is not valid UTF-8", MALFORMED],
  [abi.E_UTF8_NULL]: ["string contains U+0000", MALFORMED],
  [abi.E_UTF8_SURROGATE]: ["string contains a UTF-16 surrogate (U+D800 to U+DFFF)", MALFORMED],
  [abi.E_UTF8_OVERLONG]: ["string contains an overlong UTF-8 sequence", MALFORMED],
  [abi.E_WILDCARD]: ["topic name contains a wildcard (+ or #)", PROTOCOL],
  [abi.E_EMPTY_TOPIC]: ["topic name is empty and there is no topic alias", PROTOCOL],
  [abi.E_PACKET_ID_ZERO]: ["packet identifier is 0", PROTOCOL],
  [abi.E_DUPLICATE_PROPERTY]: ["property appears more than once", PROTOCOL],
  [abi.E_PROPERTY_NOT_ALLOWED]: ["property is not allowed in this packet", MALFORMED],
  [abi.E_NO_FILTERS]: ["no topic filter", PROTOCOL],
  [abi.E_OPTION_RESERVED]: ["reserved subscription option bits are set", MALFORMED],
  [abi.E_PROPERTY_VALUE]: ["property has a value the specification forbids", PROTOCOL],
  [abi.E_PROTOCOL_NAME]: ['protocol name is not "MQTT"', 0x84],
  [abi.E_PROTOCOL_LEVEL]: ["protocol level is neither 4 (MQTT 3.1.1) nor 5 (MQTT 5.0)", 0x84],
  [abi.E_CONNECT_RESERVED]: ["reserved connect flag is set", MALFORMED],
  [abi.E_WILL_FLAGS]: ["will QoS or will retain is set without a will", MALFORMED],
  [abi.E_PASSWORD_FLAG]: ["password flag is set without a user name (MQTT 3.1.1)", MALFORMED],
  [abi.E_PACKET_TYPE]: ["reserved packet type", MALFORMED],
  [abi.E_CONNACK_FLAGS]: ["reserved connect acknowledge flags are set", MALFORMED],
  [abi.E_REASON_CODE]: ["reason code is not allowed in this packet", PROTOCOL],
  [abi.E_RETAIN_HANDLING]: ["retain handling is 3", PROTOCOL],
  [abi.E_EMPTY_FILTER]: ["topic filter is empty", PROTOCOL],
  [abi.E_TOPIC_ALIAS_ZERO]: ["topic alias is 0", 0x94],
  [abi.E_NO_REASON_CODES]: ["no reason code", PROTOCOL],
  [abi.E_SUBSCRIPTION_ID_ZERO]: ["subscription identifier is 0", PROTOCOL],
  [abi.E_DUP_QOS0]: ["DUP is set on a QoS 0 message", MALFORMED],
};

const FIELDS: Record<number, string> = {
  [abi.T_PACKET]: "fixed header",
  [abi.T_PACKET_ID]: "packet identifier",
  [abi.T_REASON]: "reason code",
  [abi.T_CONNECT]: "variable header",
  [abi.T_KEEP_ALIVE]: "keep alive",
  [abi.T_CLIENT_ID]: "client identifier",
  [abi.T_WILL_TOPIC]: "will topic",
  [abi.T_WILL_PAYLOAD]: "will payload",
  [abi.T_USERNAME]: "user name",
  [abi.T_PASSWORD]: "password",
  [abi.T_CONNACK_FLAGS]: "connect acknowledge flags",
  [abi.T_TOPIC]: "topic name",
  [abi.T_FILTER]: "topic filter",
  [abi.T_OPTIONS]: "subscription options",
  [abi.T_CODES]: "reason codes",
  [abi.T_USER_KEY]: "user property name",
  [abi.T_USER_VALUE]: "user property value",
  [abi.T_PROPERTY]: "properties",
};

function fieldName(field: number): string {
  if (field > abi.T_PROPERTY) {
    const id = field - abi.T_PROPERTY;
    const hex = `0x${id.toString(16).padStart(2, "0")}`;
    const definition = PROPERTIES_BY_ID.get(id);
    return definition ? `property ${definition.name} (${hex})` : `property ${hex}`;
  }
  return FIELDS[field] ?? "packet";
}

/** What the decoder reported about a failure; offsets count from the start of the stream. */
export interface DecodeFailure {
  code: number;
  field: number;
  packetType: number;
  offset: number;
  packetOffset: number;
}

/** The error to throw for a decoder failure. */
export function decodeError(failure: DecodeFailure): MalformedPacketError | ProtocolError {
  const [description, reasonCode] = ERRORS[failure.code as abi.ErrorCode] ??
    [`error ${failure.code}`, MALFORMED];
  const type = PACKET_TYPES[failure.packetType]?.toUpperCase() ??
    `packet type ${failure.packetType}`;
  const where = `${fieldName(failure.field)} at byte ${failure.offset - failure.packetOffset}` +
    ` of the packet starting at byte ${failure.packetOffset} of the stream`;
  const message = `Cannot decode ${type}: ${description} (${where})`;
  const options = { reasonCode, offset: failure.offset };
  return reasonCode === MALFORMED || reasonCode === 0x95
    ? new MalformedPacketError(message, options)
    : new ProtocolError(message, options);
}
