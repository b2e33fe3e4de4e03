// Turns the decoder's error codes (codec-wasm/assembly/errors.ts) into error objects whose
// messages name the packet, the field and the byte offset.
import { MalformedPacketError, ProtocolError } from "./errors.ts";
import { PACKET_TYPES } from "./_packet_types.ts";
import { PROPERTIES_BY_ID } from "./_properties.ts";
import * as tape from "./_tape.ts";

const MALFORMED = 0x81;
const PROTOCOL = 0x82;

// [code]: [description, reason code]
const ERRORS: Record<number, [string, number]> = {
  1: ["reserved fixed header flags are not as the specification requires", MALFORMED],
  2: ["QoS is 3", MALFORMED],
  3: ["remaining length is longer than 4 bytes", MALFORMED],
  4: ["packet is larger than the maximum packet size", 0x95],
  5: ["field runs past the end of the packet", MALFORMED],
  6: ["unexpected bytes after the last field", MALFORMED],
  7: ["string is not valid UTF-8", MALFORMED],
  8: ["string contains U+0000", MALFORMED],
  9: ["string contains a UTF-16 surrogate (U+D800 to U+DFFF)", MALFORMED],
  10: ["string contains an overlong UTF-8 sequence", MALFORMED],
  11: ["topic name contains a wildcard (+ or #)", PROTOCOL],
  12: ["topic name is empty and there is no topic alias", PROTOCOL],
  13: ["packet identifier is 0", PROTOCOL],
  14: ["property appears more than once", PROTOCOL],
  15: ["property is not allowed in this packet", MALFORMED],
  16: ["no topic filter", PROTOCOL],
  17: ["reserved subscription option bits are set", MALFORMED],
  18: ["property has a value the specification forbids", PROTOCOL],
  19: ['protocol name is neither "MQTT" nor "MQIsdp" (MQTT 3.1)', 0x84],
  20: ['protocol level is not 4 (MQTT 3.1.1) or 5 (MQTT 5.0) after "MQTT", 3 after "MQIsdp"', 0x84],
  21: ["reserved connect flag is set", MALFORMED],
  22: ["will QoS or will retain is set without a will", MALFORMED],
  23: ["password flag is set without a user name (MQTT 3.1.1)", MALFORMED],
  24: ["reserved packet type", MALFORMED],
  25: ["reserved connect acknowledge flags are set", MALFORMED],
  26: ["reason code is not allowed in this packet", PROTOCOL],
  27: ["retain handling is 3", PROTOCOL],
  28: ["topic filter is empty", PROTOCOL],
  29: ["topic alias is 0", 0x94],
  30: ["no reason code", PROTOCOL],
  31: ["subscription identifier is 0", PROTOCOL],
  32: ["DUP is set on a QoS 0 message", MALFORMED],
  33: [
    "the server answered with an MQTT 3.1.1 CONNACK, return code 1 (unacceptable protocol version): it does not support MQTT 5",
    0x84,
  ],
};

const FIELDS: Record<number, string> = {
  [tape.T_PACKET]: "fixed header",
  [tape.T_PACKET_ID]: "packet identifier",
  [tape.T_REASON]: "reason code",
  [tape.T_CONNECT]: "variable header",
  [tape.T_KEEP_ALIVE]: "keep alive",
  [tape.T_CLIENT_ID]: "client identifier",
  [tape.T_WILL_TOPIC]: "will topic",
  [tape.T_WILL_PAYLOAD]: "will payload",
  [tape.T_USERNAME]: "user name",
  [tape.T_PASSWORD]: "password",
  [tape.T_CONNACK_FLAGS]: "connect acknowledge flags",
  [tape.T_TOPIC]: "topic name",
  [tape.T_FILTER]: "topic filter",
  [tape.T_OPTIONS]: "subscription options",
  [tape.T_CODES]: "reason codes",
  [tape.T_USER_KEY]: "user property name",
  [tape.T_USER_VALUE]: "user property value",
  [tape.T_PROPERTY]: "properties",
};

function fieldName(field: number): string {
  if (field > tape.T_PROPERTY) {
    const id = field - tape.T_PROPERTY;
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
  const [description, reasonCode] = ERRORS[failure.code] ??
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
