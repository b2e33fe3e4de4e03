// One decoder per packet type: the variable header and payload after the fixed header.
import {
  emit,
  T_CLIENT_ID,
  T_CODES,
  T_CONNACK_FLAGS,
  T_CONNECT,
  T_FILTER,
  T_KEEP_ALIVE,
  T_OPTIONS,
  T_PACKET,
  T_PACKET_ID,
  T_PASSWORD,
  T_PAYLOAD,
  T_PROPERTY,
  T_TOPIC,
  T_USERNAME,
  T_WILL_PAYLOAD,
  T_WILL_PROPERTIES,
  T_WILL_TOPIC,
} from "./tape";
import {
  E_CONNACK_FLAGS,
  E_CONNECT_RESERVED,
  E_EMPTY_TOPIC,
  E_NO_FILTERS,
  E_NO_REASON_CODES,
  E_OPTION_RESERVED,
  E_PASSWORD_FLAG,
  E_PROTOCOL_LEVEL,
  E_PROTOCOL_NAME,
  E_QOS3,
  E_REASON_CODE,
  E_RETAIN_HANDLING,
  E_WILL_FLAGS,
} from "./errors";
import {
  end,
  expectEnd,
  fail,
  failed,
  packetType,
  pos,
  readBinary,
  readPacketId,
  readString,
  readU16,
  readU8,
  sawTopicAlias,
  STRING_FILTER,
  STRING_PLAIN,
  STRING_TOPIC,
  version,
} from "./reader";
import {
  C_CONNACK,
  C_CONNECT,
  C_PUBLISH,
  C_SUBSCRIBE,
  C_UNSUBSCRIBE,
  C_WILL,
  readProperties,
} from "./properties";
import { readReason, validReason } from "./reasons";

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
export function requiredFlags(type: i32): u32 {
  return type == 6 || type == 8 || type == 10 ? 2 : 0;
}

export function decodeBody(type: i32, flags: u32): void {
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
