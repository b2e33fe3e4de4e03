// The reader of one packet's fields: the position in the packet, the failure it stops at,
// and the readers of MQTT's data types, which validate and write each field to the tape.
import { S_CODE, S_FIELD, S_OFFSET, S_PACKET, S_TYPE, STATUS } from "./layout";
import {
  UTF8_ERR_NULL,
  UTF8_ERR_OVERLONG,
  UTF8_ERR_SURROGATE,
  UTF8_NON_ASCII,
  UTF8_WILDCARD,
  utf8ErrorAt,
  validateUtf8,
} from "./utf8";
import { internAdd, internFind, internLookup, internReset } from "./intern";
import {
  emit,
  STRING_ID_SHIFT,
  STRING_NEW_SHIFT,
  STRING_NON_ASCII_SHIFT,
  T_PACKET_ID,
} from "./tape";
import {
  E_EMPTY_FILTER,
  E_PACKET_ID_ZERO,
  E_TRAILING,
  E_TRUNCATED,
  E_UTF8_INVALID,
  E_UTF8_NULL,
  E_UTF8_OVERLONG,
  E_UTF8_SURROGATE,
  E_VARINT,
  E_WILDCARD,
} from "./errors";

// Reader state for the packet being decoded: one WebAssembly global each, which the other
// decoder files (packets.ts, properties.ts, reasons.ts, index.ts) read and assign directly;
// AssemblyScript allows the assignment to an imported `let` that ES modules would refuse.
export let pos: usize = 0;
export let end: usize = 0;
export let failed: bool = false;
export let version: i32 = 4;
export let packetType: i32 = 0;
export let sawTopicAlias: bool = false;
export let packetStart: usize = 0;

// The status words S_CODE to S_TYPE and S_PACKET describe the failure; offsets are memory addresses.
export function fail(code: i32, offset: usize, field: i32): void {
  if (failed) return;
  failed = true;
  store<i32>(STATUS, code, S_CODE << 2);
  store<i32>(STATUS, <i32> offset, S_OFFSET << 2);
  store<i32>(STATUS, field, S_FIELD << 2);
  store<i32>(STATUS, packetType, S_TYPE << 2);
  store<i32>(STATUS, <i32> packetStart, S_PACKET << 2);
}

export function readU8(field: i32): u32 {
  if (pos + 1 > end) {
    fail(E_TRUNCATED, pos, field);
    return 0;
  }
  return <u32> load<u8>(pos++);
}

export function readU16(field: i32): u32 {
  if (pos + 2 > end) {
    fail(E_TRUNCATED, pos, field);
    return 0;
  }
  const v = (<u32> load<u8>(pos) << 8) | <u32> load<u8>(pos + 1);
  pos += 2;
  return v;
}

export function readU32(field: i32): u32 {
  if (pos + 4 > end) {
    fail(E_TRUNCATED, pos, field);
    return 0;
  }
  const v = bswap<u32>(load<u32>(pos));
  pos += 4;
  return v;
}

export function readVarint(field: i32): u32 {
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

export const STRING_PLAIN: i32 = 0;
export const STRING_TOPIC: i32 = 1;
export const STRING_FILTER: i32 = 2;

export function readString(tag: i32, kind: i32): void {
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

export function readBinary(tag: i32): void {
  const len = readU16(tag);
  if (failed) return;
  if (pos + len > end) {
    fail(E_TRUNCATED, pos - 2, tag);
    return;
  }
  emit(tag, <i32> pos, <i32> len);
  pos += len;
}

export function readPacketId(): void {
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

export function expectEnd(field: i32): void {
  if (!failed && pos != end) fail(E_TRAILING, pos, field);
}
