// MQTT 5 properties (§2.2.2.2): which packets may carry each one, its data type, and the
// reader of a property block. The TypeScript side's table is packages/codec/_properties.ts;
// packages/codec/wasm_parity_test.ts fails when the two disagree.
import { emit, T_PROPERTY, T_USER_KEY, T_USER_VALUE } from "./tape";
import {
  E_DUPLICATE_PROPERTY,
  E_PROPERTY_NOT_ALLOWED,
  E_PROPERTY_VALUE,
  E_SUBSCRIPTION_ID_ZERO,
  E_TOPIC_ALIAS_ZERO,
  E_TRUNCATED,
} from "./errors";
import {
  end,
  fail,
  failed,
  pos,
  readBinary,
  readString,
  readU16,
  readU32,
  readU8,
  readVarint,
  sawTopicAlias,
  STRING_PLAIN,
} from "./reader";

// Property data types.
const P_BYTE: u32 = 1;
const P_U16: u32 = 2;
const P_U32: u32 = 3;
const P_VARINT: u32 = 4;
const P_STRING: u32 = 5;
const P_BINARY: u32 = 6;
const P_PAIR: u32 = 7;

// Contexts: bit n is packet type n; bit 0 stands for the will properties of CONNECT.
export const C_WILL: u32 = 1 << 0;
export const C_CONNECT: u32 = 1 << 1;
export const C_CONNACK: u32 = 1 << 2;
export const C_PUBLISH: u32 = 1 << 3;
const C_PUBACK: u32 = 1 << 4;
const C_PUBREC: u32 = 1 << 5;
const C_PUBREL: u32 = 1 << 6;
const C_PUBCOMP: u32 = 1 << 7;
export const C_SUBSCRIBE: u32 = 1 << 8;
const C_SUBACK: u32 = 1 << 9;
export const C_UNSUBSCRIBE: u32 = 1 << 10;
const C_UNSUBACK: u32 = 1 << 11;
const C_DISCONNECT: u32 = 1 << 14;
const C_AUTH: u32 = 1 << 15;
const C_ACKS: u32 = C_PUBACK | C_PUBREC | C_PUBREL | C_PUBCOMP | C_SUBACK | C_UNSUBACK;

/** (data type << 16) | allowed contexts of a property identifier (MQTT 5 §2.2.2.2), 0 if unknown. */
function propertyInfo(id: u32): u32 {
  switch (id) {
    case 0x01: // Payload Format Indicator
    case 0x02: // Message Expiry Interval
    case 0x03: // Content Type
    case 0x08: // Response Topic
    case 0x09: // Correlation Data
      return (propertyType(id) << 16) | C_PUBLISH | C_WILL;
    case 0x0b: // Subscription Identifier
      return (P_VARINT << 16) | C_PUBLISH | C_SUBSCRIBE;
    case 0x11: // Session Expiry Interval
      return (P_U32 << 16) | C_CONNECT | C_CONNACK | C_DISCONNECT;
    case 0x12: // Assigned Client Identifier
    case 0x1a: // Response Information
      return (P_STRING << 16) | C_CONNACK;
    case 0x13: // Server Keep Alive
      return (P_U16 << 16) | C_CONNACK;
    case 0x15: // Authentication Method
      return (P_STRING << 16) | C_CONNECT | C_CONNACK | C_AUTH;
    case 0x16: // Authentication Data
      return (P_BINARY << 16) | C_CONNECT | C_CONNACK | C_AUTH;
    case 0x17: // Request Problem Information
    case 0x19: // Request Response Information
      return (P_BYTE << 16) | C_CONNECT;
    case 0x18: // Will Delay Interval
      return (P_U32 << 16) | C_WILL;
    case 0x1c: // Server Reference
      return (P_STRING << 16) | C_CONNACK | C_DISCONNECT;
    case 0x1f: // Reason String
      return (P_STRING << 16) | C_CONNACK | C_ACKS | C_DISCONNECT | C_AUTH;
    case 0x21: // Receive Maximum
    case 0x22: // Topic Alias Maximum
      return (P_U16 << 16) | C_CONNECT | C_CONNACK;
    case 0x23: // Topic Alias
      return (P_U16 << 16) | C_PUBLISH;
    case 0x24: // Maximum QoS
    case 0x25: // Retain Available
    case 0x28: // Wildcard Subscription Available
    case 0x29: // Subscription Identifier Available
    case 0x2a: // Shared Subscription Available
      return (P_BYTE << 16) | C_CONNACK;
    case 0x26: // User Property
      return (P_PAIR << 16) | 0xffff;
    case 0x27: // Maximum Packet Size
      return (P_U32 << 16) | C_CONNECT | C_CONNACK;
  }
  return 0;
}

function propertyType(id: u32): u32 {
  if (id == 0x01) return P_BYTE;
  if (id == 0x02) return P_U32;
  if (id == 0x09) return P_BINARY;
  return P_STRING;
}

export function readProperties(context: u32): void {
  const lengthAt = pos;
  const length = readVarint(T_PROPERTY);
  if (failed) return;
  const propertiesEnd = pos + length;
  if (propertiesEnd > end) {
    fail(E_TRUNCATED, lengthAt, T_PROPERTY);
    return;
  }
  const packetEnd = end;
  end = propertiesEnd;
  let seen: u64 = 0;
  while (pos < end && !failed) {
    const at = pos;
    const id = <u32> load<u8>(pos++);
    const info = propertyInfo(id);
    const tag = T_PROPERTY + <i32> id;
    if ((info & context) == 0) {
      fail(E_PROPERTY_NOT_ALLOWED, at, tag);
      break;
    }
    const bit: u64 = <u64> 1 << id;
    // [MQTT-3.3.2-?] only User Property, and Subscription Identifier in PUBLISH, may repeat.
    if ((seen & bit) != 0 && id != 0x26 && !(id == 0x0b && context == C_PUBLISH)) {
      fail(E_DUPLICATE_PROPERTY, at, tag);
      break;
    }
    seen |= bit;
    const type = info >>> 16;
    if (type == P_BYTE) {
      const v = readU8(tag);
      // Every one-byte property is a 0/1 flag (Maximum QoS is 0 or 1 too).
      if (!failed && v > 1) fail(E_PROPERTY_VALUE, at, tag);
      emit(tag, <i32> v, 0);
    } else if (type == P_U16) {
      const v = readU16(tag);
      if (!failed && v == 0) {
        if (id == 0x23) fail(E_TOPIC_ALIAS_ZERO, at, tag);
        else if (id == 0x21) fail(E_PROPERTY_VALUE, at, tag);
      }
      if (id == 0x23) sawTopicAlias = true;
      emit(tag, <i32> v, 0);
    } else if (type == P_U32) {
      const v = readU32(tag);
      if (!failed && v == 0 && id == 0x27) fail(E_PROPERTY_VALUE, at, tag);
      emit(tag, <i32> v, 0);
    } else if (type == P_VARINT) {
      const v = readVarint(tag);
      if (!failed && v == 0) fail(E_SUBSCRIPTION_ID_ZERO, at, tag);
      emit(tag, <i32> v, 0);
    } else if (type == P_STRING) {
      readString(tag, STRING_PLAIN);
    } else if (type == P_BINARY) {
      readBinary(tag);
    } else {
      readString(T_USER_KEY, STRING_PLAIN);
      readString(T_USER_VALUE, STRING_PLAIN);
    }
  }
  end = packetEnd;
}
