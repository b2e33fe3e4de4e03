// The packet decoder: frames every complete packet in the input, validates it and
// writes its fields to the tape, in one call per chunk.
import {
  DYNAMIC_BASE,
  S_CODE,
  S_FIELD,
  S_OFFSET,
  S_PACKET,
  S_RECORDS,
  S_TAPE_RAN_OUT,
  S_TYPE,
  S_VERSION,
  STATUS,
} from "./layout";
import {
  UTF8_ERR_NULL,
  UTF8_ERR_OVERLONG,
  UTF8_ERR_SURROGATE,
  UTF8_NON_ASCII,
  UTF8_WILDCARD,
  utf8ErrorAt,
  validateUtf8,
} from "./utf8";
import { internAdd, internFind, internLookup, internNewPacket, internReset } from "./intern";
import {
  emit,
  RECORD_BYTES,
  STRING_ID_SHIFT,
  STRING_NEW_SHIFT,
  STRING_NON_ASCII_SHIFT,
  T_CLIENT_ID,
  T_CODES,
  T_CONNACK_FLAGS,
  T_CONNECT,
  T_END,
  T_FILTER,
  T_KEEP_ALIVE,
  T_OPTIONS,
  T_PACKET,
  T_PACKET_ID,
  T_PASSWORD,
  T_PAYLOAD,
  T_PROPERTY,
  T_REASON,
  T_TOPIC,
  T_USER_KEY,
  T_USER_VALUE,
  T_USERNAME,
  T_WILL_PAYLOAD,
  T_WILL_PROPERTIES,
  T_WILL_TOPIC,
  tapeMark,
  tapeOverflowed,
  tapeRollback,
  tapeStart,
} from "./tape";
import {
  E_CONNACK_FLAGS,
  E_DUP_QOS0,
  E_CONNECT_RESERVED,
  E_DUPLICATE_PROPERTY,
  E_EMPTY_FILTER,
  E_EMPTY_TOPIC,
  E_NO_FILTERS,
  E_NO_REASON_CODES,
  E_OPTION_RESERVED,
  E_PACKET_ID_ZERO,
  E_PACKET_TYPE,
  E_PASSWORD_FLAG,
  E_PROPERTY_NOT_ALLOWED,
  E_PROPERTY_VALUE,
  E_PROTOCOL_LEVEL,
  E_PROTOCOL_NAME,
  E_QOS3,
  E_REASON_CODE,
  E_RESERVED_FLAGS,
  E_RETAIN_HANDLING,
  E_SUBSCRIPTION_ID_ZERO,
  E_TOO_LARGE,
  E_TOPIC_ALIAS_ZERO,
  E_TRAILING,
  E_TRUNCATED,
  E_UTF8_INVALID,
  E_UTF8_NULL,
  E_UTF8_OVERLONG,
  E_UTF8_SURROGATE,
  E_VARINT,
  E_WILDCARD,
  E_WILL_FLAGS,
} from "./errors";

/** Where the TypeScript side may start placing the input buffer and the tape. */
export function dynamicBase(): usize {
  return DYNAMIC_BASE;
}

/** Where the status block lives (see layout.ts). */
export function statusPtr(): usize {
  return STATUS;
}

// Reader state for the packet being decoded.
let pos: usize = 0;
let end: usize = 0;
let failed: bool = false;
let version: i32 = 4;
let packetType: i32 = 0;
let sawTopicAlias: bool = false;
let packetStart: usize = 0;

// The status words S_CODE to S_TYPE and S_PACKET describe the failure; offsets are memory addresses.
function fail(code: i32, offset: usize, field: i32): void {
  if (failed) return;
  failed = true;
  store<i32>(STATUS, code, S_CODE << 2);
  store<i32>(STATUS, <i32> offset, S_OFFSET << 2);
  store<i32>(STATUS, field, S_FIELD << 2);
  store<i32>(STATUS, packetType, S_TYPE << 2);
  store<i32>(STATUS, <i32> packetStart, S_PACKET << 2);
}

function readU8(field: i32): u32 {
  if (pos + 1 > end) {
    fail(E_TRUNCATED, pos, field);
    return 0;
  }
  return <u32> load<u8>(pos++);
}

function readU16(field: i32): u32 {
  if (pos + 2 > end) {
    fail(E_TRUNCATED, pos, field);
    return 0;
  }
  const v = (<u32> load<u8>(pos) << 8) | <u32> load<u8>(pos + 1);
  pos += 2;
  return v;
}

function readU32(field: i32): u32 {
  if (pos + 4 > end) {
    fail(E_TRUNCATED, pos, field);
    return 0;
  }
  const v = bswap<u32>(load<u32>(pos));
  pos += 4;
  return v;
}

function readVarint(field: i32): u32 {
  let value: u32 = 0;
  for (let i: u32 = 0; i < 4; i++) {
    if (pos >= end) {
      fail(E_TRUNCATED, pos, field);
      return 0;
    }
    const b = <u32> load<u8>(pos++);
    value |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return value;
  }
  fail(E_VARINT, pos - 1, field);
  return 0;
}

const STRING_PLAIN: i32 = 0;
const STRING_TOPIC: i32 = 1;
const STRING_FILTER: i32 = 2;

function readString(tag: i32, kind: i32): void {
  const len = readU16(tag);
  if (failed) return;
  const ptr = pos;
  if (ptr + len > end) {
    fail(E_TRUNCATED, ptr - 2, tag);
    return;
  }
  let flags: i32;
  let idPlus1: u32 = 0;
  let isNew: u32 = 0;
  const found = internLookup(ptr, len);
  if (found > 0) {
    flags = (found - 1) & 0xff;
    idPlus1 = (<u32> (found - 1) >>> 8) + 1;
  } else {
    flags = validateUtf8(ptr, len);
    if (flags < 0) {
      fail(utf8Error(flags), utf8ErrorAt, tag);
      return;
    }
    if (found == 0) {
      let id = internAdd(ptr, len, flags);
      if (id < 0) {
        internReset();
        internFind(ptr, len);
        id = internAdd(ptr, len, flags);
      }
      idPlus1 = <u32> id + 1;
      isNew = 1;
    }
  }
  if (kind == STRING_TOPIC && (flags & UTF8_WILDCARD) != 0) {
    let at = ptr;
    while (load<u8>(at) != 0x2b && load<u8>(at) != 0x23) at++;
    fail(E_WILDCARD, at, tag);
    return;
  }
  if (kind == STRING_FILTER && len == 0) {
    fail(E_EMPTY_FILTER, ptr - 2, tag);
    return;
  }
  emit(
    tag,
    <i32> ptr,
    <i32> (
      len | (<u32> (flags & UTF8_NON_ASCII) << STRING_NON_ASCII_SHIFT) |
      (idPlus1 << STRING_ID_SHIFT) | (isNew << STRING_NEW_SHIFT)
    ),
  );
  pos += len;
}

function utf8Error(kind: i32): i32 {
  if (kind == UTF8_ERR_NULL) return E_UTF8_NULL;
  if (kind == UTF8_ERR_SURROGATE) return E_UTF8_SURROGATE;
  if (kind == UTF8_ERR_OVERLONG) return E_UTF8_OVERLONG;
  return E_UTF8_INVALID;
}

function readBinary(tag: i32): void {
  const len = readU16(tag);
  if (failed) return;
  if (pos + len > end) {
    fail(E_TRUNCATED, pos - 2, tag);
    return;
  }
  emit(tag, <i32> pos, <i32> len);
  pos += len;
}

function readPacketId(): void {
  const at = pos;
  const id = readU16(T_PACKET_ID);
  if (failed) return;
  // [MQTT-2.3.1-1] SUBSCRIBE, UNSUBSCRIBE and PUBLISH (QoS > 0) carry a non-zero packet
  // identifier; acknowledgements echo one, so 0 is never valid anywhere.
  if (id == 0) {
    fail(E_PACKET_ID_ZERO, at, T_PACKET_ID);
    return;
  }
  emit(T_PACKET_ID, <i32> id, 0);
}

// Property data types.
const P_BYTE: u32 = 1;
const P_U16: u32 = 2;
const P_U32: u32 = 3;
const P_VARINT: u32 = 4;
const P_STRING: u32 = 5;
const P_BINARY: u32 = 6;
const P_PAIR: u32 = 7;

// Contexts: bit n is packet type n; bit 0 stands for the will properties of CONNECT.
const C_WILL: u32 = 1 << 0;
const C_CONNECT: u32 = 1 << 1;
const C_CONNACK: u32 = 1 << 2;
const C_PUBLISH: u32 = 1 << 3;
const C_PUBACK: u32 = 1 << 4;
const C_PUBREC: u32 = 1 << 5;
const C_PUBREL: u32 = 1 << 6;
const C_PUBCOMP: u32 = 1 << 7;
const C_SUBSCRIBE: u32 = 1 << 8;
const C_SUBACK: u32 = 1 << 9;
const C_UNSUBSCRIBE: u32 = 1 << 10;
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

function readProperties(context: u32): void {
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

const PUBACK_CODES = memory.data<u8>([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
const PUBREL_CODES = memory.data<u8>([0x00, 0x92]);
const SUBACK_CODES = memory.data<u8>([
  0x00,
  0x01,
  0x02,
  0x80,
  0x83,
  0x87,
  0x8f,
  0x91,
  0x97,
  0x9e,
  0xa1,
  0xa2,
]);
const SUBACK_V4_CODES = memory.data<u8>([0x00, 0x01, 0x02, 0x80]);
const UNSUBACK_CODES = memory.data<u8>([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]);
const DISCONNECT_CODES = memory.data<u8>([
  0x00,
  0x04,
  0x80,
  0x81,
  0x82,
  0x83,
  0x87,
  0x89,
  0x8b,
  0x8d,
  0x8e,
  0x8f,
  0x90,
  0x93,
  0x94,
  0x95,
  0x96,
  0x97,
  0x98,
  0x99,
  0x9a,
  0x9b,
  0x9c,
  0x9d,
  0x9e,
  0x9f,
  0xa0,
  0xa1,
  0xa2,
]);
const AUTH_CODES = memory.data<u8>([0x00, 0x18, 0x19]);
const CONNACK_CODES = memory.data<u8>([
  0x00,
  0x80,
  0x81,
  0x82,
  0x83,
  0x84,
  0x85,
  0x86,
  0x87,
  0x88,
  0x89,
  0x8a,
  0x8c,
  0x90,
  0x95,
  0x97,
  0x99,
  0x9a,
  0x9b,
  0x9c,
  0x9d,
  0x9f,
]);

function inList(list: usize, count: u32, code: u32): bool {
  for (let i: u32 = 0; i < count; i++) {
    if (<u32> load<u8>(list + i) == code) return true;
  }
  return false;
}

/** Whether a reason code is one the specification lists for this packet type. */
function validReason(type: i32, code: u32): bool {
  switch (type) {
    case 2:
      return version == 5 ? inList(CONNACK_CODES, 22, code) : code <= 5;
    case 4:
    case 5:
      return inList(PUBACK_CODES, 9, code);
    case 6:
    case 7:
      return inList(PUBREL_CODES, 2, code);
    case 9:
      return version == 5 ? inList(SUBACK_CODES, 12, code) : inList(SUBACK_V4_CODES, 4, code);
    case 11:
      return inList(UNSUBACK_CODES, 7, code);
    case 14:
      return inList(DISCONNECT_CODES, 29, code);
    case 15:
      return inList(AUTH_CODES, 3, code);
  }
  return false;
}

function readReason(): void {
  const at = pos;
  const code = readU8(T_REASON);
  if (failed) return;
  if (!validReason(packetType, code)) {
    fail(E_REASON_CODE, at, T_REASON);
    return;
  }
  emit(T_REASON, <i32> code, 0);
}

function expectEnd(field: i32): void {
  if (!failed && pos != end) fail(E_TRAILING, pos, field);
}

function decodeConnect(): void {
  const nameAt = pos;
  const nameLength = readU16(T_CONNECT);
  if (failed) return;
  if (
    nameLength != 4 || pos + 4 > end || load<u32>(pos) != 0x5454514d // "MQTT", little-endian
  ) {
    fail(E_PROTOCOL_NAME, nameAt, T_CONNECT);
    return;
  }
  pos += 4;
  const levelAt = pos;
  const level = readU8(T_CONNECT);
  if (failed) return;
  if (level != 4 && level != 5) {
    fail(E_PROTOCOL_LEVEL, levelAt, T_CONNECT);
    return;
  }
  // A CONNECT declares its own version; what follows on the connection uses it.
  version = <i32> level;
  const flagsAt = pos;
  const flags = readU8(T_CONNECT);
  if (failed) return;
  // [MQTT-3.1.2-3] the reserved flag is 0.
  if ((flags & 0x01) != 0) {
    fail(E_CONNECT_RESERVED, flagsAt, T_CONNECT);
    return;
  }
  const hasWill = (flags & 0x04) != 0;
  const willQos = (flags >>> 3) & 3;
  if (!hasWill && (flags & 0x38) != 0) {
    // [MQTT-3.1.2-11] [MQTT-3.1.2-13] [MQTT-3.1.2-15] no will QoS or retain without a will.
    fail(E_WILL_FLAGS, flagsAt, T_CONNECT);
    return;
  }
  if (willQos == 3) {
    fail(E_QOS3, flagsAt, T_CONNECT);
    return;
  }
  // [MQTT-3.1.2-22] MQTT 3.1.1 has no password without a user name.
  if (version == 4 && (flags & 0x40) != 0 && (flags & 0x80) == 0) {
    fail(E_PASSWORD_FLAG, flagsAt, T_CONNECT);
    return;
  }
  emit(T_CONNECT, <i32> level, <i32> flags);
  const keepAlive = readU16(T_KEEP_ALIVE);
  if (failed) return;
  emit(T_KEEP_ALIVE, <i32> keepAlive, 0);
  if (version == 5) readProperties(C_CONNECT);
  if (failed) return;
  readString(T_CLIENT_ID, STRING_PLAIN);
  if (failed) return;
  if (hasWill) {
    if (version == 5) {
      emit(T_WILL_PROPERTIES, 0, 0);
      readProperties(C_WILL);
      if (failed) return;
    }
    const topicAt = pos;
    readString(T_WILL_TOPIC, STRING_TOPIC);
    if (failed) return;
    if (pos - topicAt == 2) {
      fail(E_EMPTY_TOPIC, topicAt, T_WILL_TOPIC);
      return;
    }
    readBinary(T_WILL_PAYLOAD);
    if (failed) return;
  }
  if ((flags & 0x80) != 0) readString(T_USERNAME, STRING_PLAIN);
  if (failed) return;
  if ((flags & 0x40) != 0) readBinary(T_PASSWORD);
  expectEnd(T_PASSWORD);
}

function decodeConnack(): void {
  const flagsAt = pos;
  const flags = readU8(T_CONNACK_FLAGS);
  if (failed) return;
  if ((flags & 0xfe) != 0) {
    fail(E_CONNACK_FLAGS, flagsAt, T_CONNACK_FLAGS);
    return;
  }
  emit(T_CONNACK_FLAGS, <i32> flags, 0);
  readReason();
  if (failed) return;
  if (version == 5) readProperties(C_CONNACK);
  expectEnd(T_PROPERTY);
}

function decodePublish(flags: u32): void {
  const qos = (flags >>> 1) & 3;
  const topicAt = pos;
  readString(T_TOPIC, STRING_TOPIC);
  if (failed) return;
  if (qos > 0) readPacketId();
  if (failed) return;
  sawTopicAlias = false;
  if (version == 5) readProperties(C_PUBLISH);
  if (failed) return;
  // [MQTT-4.7.3-1] a topic name has at least one character, unless MQTT 5 replaces it
  // with a topic alias (§3.3.2.3.4).
  if (load<u8>(topicAt) == 0 && load<u8>(topicAt + 1) == 0 && !sawTopicAlias) {
    fail(E_EMPTY_TOPIC, topicAt, T_TOPIC);
    return;
  }
  emit(T_PAYLOAD, <i32> pos, <i32> (end - pos));
  pos = end;
}

function decodeAck(): void {
  readPacketId();
  if (failed) return;
  if (version == 5) {
    // §3.4.2.1: the reason code (and then the properties) may be left out.
    if (pos < end) readReason();
    if (pos < end) readProperties(<u32> 1 << packetType);
  }
  expectEnd(T_PROPERTY);
}

function decodeSubscribe(): void {
  readPacketId();
  if (failed) return;
  if (version == 5) readProperties(C_SUBSCRIBE);
  if (failed) return;
  // [MQTT-3.8.3-2] at least one topic filter.
  if (pos == end) {
    fail(E_NO_FILTERS, pos, T_FILTER);
    return;
  }
  while (pos < end && !failed) {
    readString(T_FILTER, STRING_FILTER);
    if (failed) return;
    const at = pos;
    const options = readU8(T_OPTIONS);
    if (failed) return;
    // [MQTT-3.8.3-5] reserved bits are 0: bits 6-7 in MQTT 5, bits 2-7 in 3.1.1.
    if ((options & (version == 5 ? 0xc0 : 0xfc)) != 0) {
      fail(E_OPTION_RESERVED, at, T_OPTIONS);
      return;
    }
    if ((options & 3) == 3) {
      fail(E_QOS3, at, T_OPTIONS);
      return;
    }
    if (((options >>> 4) & 3) == 3) {
      fail(E_RETAIN_HANDLING, at, T_OPTIONS);
      return;
    }
    emit(T_OPTIONS, <i32> options, 0);
  }
}

function decodeUnsubscribe(): void {
  readPacketId();
  if (failed) return;
  if (version == 5) readProperties(C_UNSUBSCRIBE);
  if (failed) return;
  // [MQTT-3.10.3-2] at least one topic filter.
  if (pos == end) {
    fail(E_NO_FILTERS, pos, T_FILTER);
    return;
  }
  while (pos < end && !failed) readString(T_FILTER, STRING_FILTER);
}

function decodeSubackOrUnsuback(): void {
  readPacketId();
  if (failed) return;
  if (version == 5) readProperties(<u32> 1 << packetType);
  if (failed) return;
  // MQTT 3.1.1 UNSUBACK carries no reason codes; everything else carries at least one.
  if (version == 4 && packetType == 11) {
    expectEnd(T_PACKET_ID);
    return;
  }
  if (pos == end) {
    fail(E_NO_REASON_CODES, pos, T_CODES);
    return;
  }
  for (let p = pos; p < end; p++) {
    if (!validReason(packetType, load<u8>(p))) {
      fail(E_REASON_CODE, p, T_CODES);
      return;
    }
  }
  emit(T_CODES, <i32> pos, <i32> (end - pos));
  pos = end;
}

function decodeDisconnectOrAuth(): void {
  if (version == 5) {
    // §3.14.2.1, §3.15.2.1: a remaining length of 0 means reason code 0 and no properties.
    if (pos < end) readReason();
    if (pos < end) readProperties(<u32> 1 << packetType);
  }
  expectEnd(T_PROPERTY);
}

/** The flags each packet type must carry in its fixed header (§2.1.3); PUBLISH is checked apart. */
function requiredFlags(type: i32): u32 {
  return type == 6 || type == 8 || type == 10 ? 2 : 0;
}

function decodeBody(type: i32, flags: u32): void {
  switch (type) {
    case 1:
      decodeConnect();
      break;
    case 2:
      decodeConnack();
      break;
    case 3:
      decodePublish(flags);
      break;
    case 4:
    case 5:
    case 6:
    case 7:
      decodeAck();
      break;
    case 8:
      decodeSubscribe();
      break;
    case 9:
    case 11:
      decodeSubackOrUnsuback();
      break;
    case 10:
      decodeUnsubscribe();
      break;
    case 12:
    case 13:
      expectEnd(T_PACKET);
      break;
    default:
      decodeDisconnectOrAuth();
  }
}

/**
 * Decodes every complete packet in `input[0, length)`, writing records to the tape at
 * `tape` (at most `tapeCapacity` bytes). Returns the bytes consumed (whole packets only);
 * -1 on an error (described in the status block); -2 when the first packet alone does not
 * fit the tape. Status word 0 receives the number of records, word 5 the version in force,
 * word 7 whether it stopped for lack of tape (more complete packets may follow).
 */
export function decode(
  input: usize,
  length: usize,
  tape: usize,
  tapeCapacity: usize,
  protocolVersion: i32,
  maxPacketSize: u32,
): i32 {
  tapeStart(tape, tapeCapacity);
  failed = false;
  version = protocolVersion;
  const limit = input + length;
  packetStart = input;
  let result: i32 = 0;
  let tapeRanOut: i32 = 0;
  while (packetStart < limit) {
    const b0 = <u32> load<u8>(packetStart);
    packetType = <i32> (b0 >>> 4);
    const flags = b0 & 15;
    if (packetType == 0 || (packetType == 15 && version != 5)) {
      fail(E_PACKET_TYPE, packetStart, T_PACKET);
      break;
    }
    if (packetType == 3) {
      if (((flags >>> 1) & 3) == 3) {
        fail(E_QOS3, packetStart, T_PACKET);
        break;
      }
      // [MQTT-3.3.1-2] DUP is 0 on every QoS 0 message.
      if ((flags & 0x0e) == 0x08) {
        fail(E_DUP_QOS0, packetStart, T_PACKET);
        break;
      }
    } else if (flags != requiredFlags(packetType)) {
      fail(E_RESERVED_FLAGS, packetStart, T_PACKET);
      break;
    }
    // The remaining length: at most four bytes [MQTT-1.5.5-1]; stop if it is incomplete.
    let remaining: u32 = 0;
    let headerLength: u32 = 0;
    for (let i: u32 = 0; i < 4; i++) {
      if (packetStart + 1 + i >= limit) break;
      const b = <u32> load<u8>(packetStart + 1 + i);
      remaining |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        headerLength = 2 + i;
        break;
      }
      if (i == 3) fail(E_VARINT, packetStart + 4, T_PACKET);
    }
    if (failed || headerLength == 0) break;
    const total = headerLength + remaining;
    // Refused from the fixed header alone, before any of the body is buffered.
    if (total > maxPacketSize) {
      fail(E_TOO_LARGE, packetStart, T_PACKET);
      break;
    }
    if (packetStart + total > limit) break;
    const recordsAt = tapeMark();
    const versionBefore = version;
    emit(T_PACKET, <i32> b0, <i32> packetStart);
    internNewPacket();
    pos = packetStart + headerLength;
    end = packetStart + total;
    decodeBody(packetType, flags);
    if (failed) break;
    emit(T_END, 0, 0);
    if (tapeOverflowed()) {
      // Undo the packet; its interned strings may have been announced on the lost records,
      // so forget them all rather than leave ids the other side never saw.
      tapeRollback(recordsAt);
      version = versionBefore;
      internReset();
      if (recordsAt == tape) result = -2;
      tapeRanOut = 1;
      break;
    }
    packetStart += total;
  }
  store<i32>(STATUS, <i32> ((tapeMark() - tape) / RECORD_BYTES), S_RECORDS << 2);
  store<i32>(STATUS, version, S_VERSION << 2);
  store<i32>(STATUS, tapeRanOut, S_TAPE_RAN_OUT << 2);
  if (failed) {
    // The caller drops this call's records, and with them the announcements of strings
    // interned meanwhile: forget every interned string rather than leave ids it never saw
    // (the table is shared by every decoder of the instance, so it outlives this stream).
    internReset();
    return -1;
  }
  if (result < 0) return result;
  return <i32> (packetStart - input);
}
