// The packet encoder: measures a packet (validating everything), then writes it. Writing
// only starts once measuring succeeded, so a rejected packet leaves no partial bytes.
import type { Packet, ProtocolVersion, UserProperties } from "./packet.ts";
import { VALID_REASON_CODES, VALID_SUBACK_V4_CODES } from "./_packet_types.ts";
import { PROPERTIES_OF, PROPERTY_KEYS_OF, type PropertyDefinition } from "./_properties.ts";
import { utf8Length, writeUtf8 } from "./_utf8.ts";
import { MAX_VARIABLE_BYTE_INTEGER } from "./protocol_limits.ts";

/** The largest remaining length a fixed header can carry. */
const MAX_REMAINING_LENGTH = MAX_VARIABLE_BYTE_INTEGER;

// The property interfaces of packet.ts, read by name from the definitions table.
type Properties = object | undefined;

/** Measurements of the last packet measured, reused while writing it. */
interface Measured {
  remainingLength: number;
  propertiesLength: number;
  willPropertiesLength: number;
  /** Indexes (in PROPERTIES_OF order) of the properties the packet carries. */
  properties: number[];
  willProperties: number[];
}

const measured: Measured = {
  remainingLength: 0,
  propertiesLength: 0,
  willPropertiesLength: 0,
  properties: [],
  willProperties: [],
};

function varintSize(value: number): number {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

function checkInteger(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Cannot encode ${what}: expected an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

function checkBinary(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`Cannot encode ${what}: expected a Uint8Array`);
  }
  if (value.length > 65535) {
    throw new RangeError(`Cannot encode ${what}: ${value.length} bytes, the limit is 65535`);
  }
  return value;
}

// The last topic name validated and its UTF-8 length: an application usually publishes to
// the same few topics, and comparing a string is cheaper than validating it again.
let lastTopic = "";
let lastTopicLength = 0;

function checkTopicName(topic: unknown, what: string, aliased: boolean, version: number): number {
  if (topic === lastTopic && lastTopicLength > 0) return lastTopicLength;
  if (typeof topic !== "string") throw new TypeError(`Cannot encode ${what}: expected a string`);
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    // [MQTT-3.3.2-2] no wildcards in a topic name.
    if (c === 0x2b || c === 0x23) {
      throw new TypeError(`Cannot encode ${what}: topic name contains a wildcard "${topic[i]}"`);
    }
  }
  // [MQTT-4.7.3-1] at least one character, unless an MQTT 5 topic alias stands in for it.
  if (topic.length === 0 && !(aliased && version === 5)) {
    throw new TypeError(`Cannot encode ${what}: topic name is empty and there is no topic alias`);
  }
  const length = utf8Length(topic, what);
  lastTopic = topic;
  lastTopicLength = length;
  return length;
}

function checkString(value: unknown, what: string): number {
  if (typeof value !== "string") throw new TypeError(`Cannot encode ${what}: expected a string`);
  return utf8Length(value, what);
}

function checkReason(code: unknown, type: string, version: ProtocolVersion): number {
  // The description is built only for an error: PUBACKs and the like pass here per packet.
  if (!isIntegerIn(code, 0, 255)) checkInteger(code, 0, 255, `${type.toUpperCase()} reason code`);
  const valid = version === 4 && type === "suback"
    ? VALID_SUBACK_V4_CODES
    : version === 4 && type === "connack"
    ? undefined
    : VALID_REASON_CODES.get(type)!;
  if (valid ? !valid.has(code as number) : (code as number) > 5) {
    throw new RangeError(
      `Cannot encode ${type.toUpperCase()} reason code: 0x${
        (code as number).toString(16)
      } is not allowed in ${type.toUpperCase()}`,
    );
  }
  return code as number;
}

// The size of a property, checked without building the description an error would need.
function propertyValueSize(
  definition: PropertyDefinition,
  value: unknown,
  packetType: string,
): number {
  switch (definition.kind) {
    case "byte":
      if (value === 0 || value === 1) return 2;
      break;
    case "flag":
      if (typeof value === "boolean") return 2;
      break;
    case "u16":
      if (isIntegerIn(value, definition.id === 0x21 || definition.id === 0x23 ? 1 : 0, 65535)) {
        return 3;
      }
      break;
    case "u32":
      if (isIntegerIn(value, definition.id === 0x27 ? 1 : 0, 0xffffffff)) return 5;
      break;
  }
  return checkedPropertySize(
    definition,
    value,
    `${packetName(packetType)} ${definition.name}`,
  );
}

/** How errors name a packet type; "will" is the will message inside CONNECT. */
function packetName(packetType: string): string {
  return packetType === "will" ? "CONNECT will" : packetType.toUpperCase();
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function checkedPropertySize(
  definition: PropertyDefinition,
  value: unknown,
  what: string,
): number {
  switch (definition.kind) {
    case "byte":
      checkInteger(value, 0, 1, what);
      return 2;
    case "flag":
      if (typeof value !== "boolean") {
        throw new TypeError(`Cannot encode ${what}: expected a boolean`);
      }
      return 2;
    case "u16":
      // Receive Maximum and Topic Alias are never 0 (§3.1.2.11.3, §3.3.2.3.4).
      checkInteger(value, definition.id === 0x21 || definition.id === 0x23 ? 1 : 0, 65535, what);
      return 3;
    case "u32":
      checkInteger(value, definition.id === 0x27 ? 1 : 0, 0xffffffff, what);
      return 5;
    case "varint":
      return 1 + varintSize(checkInteger(value, 1, MAX_REMAINING_LENGTH, what));
    case "string":
      return 3 + checkString(value, what);
    case "binary":
      return 3 + checkBinary(value, what).length;
    case "pair": {
      if (!Array.isArray(value)) {
        throw new TypeError(`Cannot encode ${what}: expected [key, value] pairs`);
      }
      let size = 0;
      for (const pair of value as UserProperties) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError(`Cannot encode ${what}: expected [key, value] pairs`);
        }
        size += 5 + checkString(pair[0], `${what} name`) + checkString(pair[1], `${what} value`);
      }
      return size;
    }
  }
}

// The bytes of the packet's property block: its length, then its properties.
function ownPropertyBlockSize(kind: string, given: Properties): number {
  const length = measureOwnProperties(kind, given);
  return varintSize(length) + length;
}

// The packet's own properties (not its will's), measured into `measured`.
function measureOwnProperties(kind: string, given: Properties): number {
  measured.propertiesLength = measureProperties(kind, given, measured.properties);
  return measured.propertiesLength;
}

// Sizes the properties `given` carries and lists them in `present`, in the order they are
// written (the order of PROPERTIES_OF).
function measureProperties(kind: string, given: Properties, present: number[]): number {
  present.length = 0;
  if (!given) return 0;
  const properties = given as Record<string, unknown>;
  const keys = PROPERTY_KEYS_OF.get(kind)!;
  const definitions = PROPERTIES_OF.get(kind)!;
  let size = 0;
  for (const key in properties) {
    const index = keys.get(key);
    if (index === undefined) continue;
    const value = properties[key];
    if (value === undefined) continue;
    const definition = definitions[index];
    if (definition.id === 0x0b && kind === "publish") {
      if (!Array.isArray(value)) {
        throw new TypeError(
          `Cannot encode ${packetName(kind)} subscriptionIdentifiers: expected an array`,
        );
      }
      for (const id of value) size += propertyValueSize(definition, id, kind);
    } else {
      size += propertyValueSize(definition, value, kind);
    }
    let at = present.length;
    present.push(index);
    for (; at > 0 && present[at - 1] > index; at--) present[at] = present[at - 1];
    present[at] = index;
  }
  return size;
}

function checkPacketId(value: unknown, packetType: string): number {
  // [MQTT-2.3.1-1] packet identifiers are non-zero.
  if (isIntegerIn(value, 1, 65535)) return value as number;
  return checkInteger(value, 1, 65535, `${packetName(packetType)} packet identifier`);
}

/**
 * Validates `packet` for `version` and returns its remaining length; the measurements are
 * kept for the `writePacket` call that follows.
 */
export function measurePacket(packet: Packet, version: ProtocolVersion): number {
  if (packet === null || typeof packet !== "object") {
    throw new TypeError(`Cannot encode packet: expected an object, got ${packet}`);
  }
  const type = packet.type;
  let size = 0;
  measured.propertiesLength = 0;
  measured.willPropertiesLength = 0;
  const v5 = version === 5;
  switch (type) {
    case "connect": {
      // Protocol name (6), level, flags, keep alive (2), client identifier length (2).
      size = 12 + checkString(packet.clientId, "CONNECT client identifier");
      checkInteger(packet.keepAlive, 0, 65535, "CONNECT keep alive");
      if (v5) {
        size += ownPropertyBlockSize("connect", packet.properties);
      }
      const will = packet.will;
      if (will) {
        checkInteger(will.qos, 0, 2, "CONNECT will QoS");
        if (v5) {
          measured.willPropertiesLength = measureProperties(
            "will",
            will.properties,
            measured.willProperties,
          );
          size += varintSize(measured.willPropertiesLength) + measured.willPropertiesLength;
        }
        size += 2 + checkTopicName(will.topic, "CONNECT will topic", false, version);
        size += 2 + checkBinary(will.payload, "CONNECT will payload").length;
      }
      if (packet.username !== undefined) {
        size += 2 + checkString(packet.username, "CONNECT user name");
      } else if (packet.password !== undefined && !v5) {
        // [MQTT-3.1.2-22]
        throw new TypeError(
          "Cannot encode CONNECT: MQTT 3.1.1 has no password without a user name",
        );
      }
      if (packet.password !== undefined) {
        size += 2 + checkBinary(packet.password, "CONNECT password").length;
      }
      break;
    }
    case "connack":
      checkReason(packet.reasonCode, type, version);
      size = 2;
      if (v5) {
        size += ownPropertyBlockSize("connack", packet.properties);
      }
      break;
    case "publish": {
      checkInteger(packet.qos, 0, 2, "PUBLISH QoS");
      if (packet.qos === 0 && packet.dup) {
        // [MQTT-3.3.1-2]
        throw new TypeError("Cannot encode PUBLISH: DUP is set on a QoS 0 message");
      }
      const aliased = packet.properties?.topicAlias !== undefined;
      size = 2 + checkTopicName(packet.topic, "PUBLISH topic name", aliased, version);
      if (packet.qos > 0) {
        checkPacketId(packet.packetId, type);
        size += 2;
      }
      if (v5) {
        size += ownPropertyBlockSize("publish", packet.properties);
      }
      if (!(packet.payload instanceof Uint8Array)) {
        throw new TypeError("Cannot encode PUBLISH payload: expected a Uint8Array");
      }
      size += packet.payload.length;
      break;
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      checkPacketId(packet.packetId, type);
      size = 2;
      if (v5) {
        const reason = checkReason(packet.reasonCode ?? 0, type, version);
        measureOwnProperties(type, packet.properties);
        // §3.4.2.1: the reason code and property length may be left out; the shortest form is written.
        if (measured.propertiesLength > 0) {
          size += 1 + varintSize(measured.propertiesLength) + measured.propertiesLength;
        } else if (reason !== 0) size += 1;
      }
      break;
    case "subscribe": {
      checkPacketId(packet.packetId, type);
      size = 2;
      if (v5) {
        size += ownPropertyBlockSize("subscribe", packet.properties);
      }
      const subscriptions = packet.subscriptions;
      // [MQTT-3.8.3-2]
      if (!Array.isArray(subscriptions) || subscriptions.length === 0) {
        throw new TypeError("Cannot encode SUBSCRIBE: no topic filter");
      }
      for (const subscription of subscriptions) {
        size += 3 + checkFilter(subscription?.topicFilter, "SUBSCRIBE topic filter");
        checkInteger(subscription.qos, 0, 2, "SUBSCRIBE QoS");
        if (v5 && subscription.retainHandling !== undefined) {
          checkInteger(subscription.retainHandling, 0, 2, "SUBSCRIBE retain handling");
        }
      }
      break;
    }
    case "suback":
    case "unsuback": {
      checkPacketId(packet.packetId, type);
      size = 2;
      if (v5) {
        size += ownPropertyBlockSize(type, packet.properties);
      }
      if (type === "unsuback" && !v5) break;
      const codes = packet.reasonCodes;
      if (!Array.isArray(codes) || codes.length === 0) {
        throw new TypeError(`Cannot encode ${type.toUpperCase()}: no reason code`);
      }
      for (const code of codes) checkReason(code, type, version);
      size += codes.length;
      break;
    }
    case "unsubscribe": {
      checkPacketId(packet.packetId, type);
      size = 2;
      if (v5) {
        size += ownPropertyBlockSize("unsubscribe", packet.properties);
      }
      const filters = packet.topicFilters;
      // [MQTT-3.10.3-2]
      if (!Array.isArray(filters) || filters.length === 0) {
        throw new TypeError("Cannot encode UNSUBSCRIBE: no topic filter");
      }
      for (const filter of filters) size += 2 + checkFilter(filter, "UNSUBSCRIBE topic filter");
      break;
    }
    case "pingreq":
    case "pingresp":
      break;
    case "auth":
    case "disconnect":
      if (type === "auth" && !v5) {
        throw new TypeError("Cannot encode AUTH: MQTT 3.1.1 has no AUTH packet");
      }
      if (v5) {
        checkReason(packet.reasonCode ?? 0, type, version);
        measureOwnProperties(type, packet.properties);
        // §3.14.2.1 and §3.15.2.1 allow leaving out the reason code and properties, but
        // mqtt-packet (MQTT.js) then reads past the packet, so both are always written.
        size = 1 + varintSize(measured.propertiesLength) + measured.propertiesLength;
      }
      break;
    default:
      throw new TypeError(`Cannot encode packet: unknown type "${type}"`);
  }
  if (size > MAX_REMAINING_LENGTH) {
    throw new RangeError(
      `Cannot encode ${type.toUpperCase()}: ${size} bytes after the fixed header, the limit is ${MAX_REMAINING_LENGTH}`,
    );
  }
  measured.remainingLength = size;
  return size;
}

function checkFilter(filter: unknown, what: string): number {
  const length = checkString(filter, what);
  // [MQTT-4.7.3-1] at least one character.
  if (length === 0) throw new TypeError(`Cannot encode ${what}: topic filter is empty`);
  return length;
}

/** The size of the whole packet whose remaining length is `remainingLength`. */
export function packetSize(remainingLength: number): number {
  return 1 + varintSize(remainingLength) + remainingLength;
}

/** The fixed header's first byte: type and flags (§2.1). */
function firstByte(packet: Packet): number {
  switch (packet.type) {
    case "publish":
      return 0x30 | (packet.dup ? 8 : 0) | (packet.qos << 1) | (packet.retain ? 1 : 0);
    case "connect":
      return 0x10;
    case "connack":
      return 0x20;
    case "puback":
      return 0x40;
    case "pubrec":
      return 0x50;
    // §2.1.3: PUBREL, SUBSCRIBE and UNSUBSCRIBE carry flags 0010.
    case "pubrel":
      return 0x62;
    case "pubcomp":
      return 0x70;
    case "subscribe":
      return 0x82;
    case "suback":
      return 0x90;
    case "unsubscribe":
      return 0xa2;
    case "unsuback":
      return 0xb0;
    case "pingreq":
      return 0xc0;
    case "pingresp":
      return 0xd0;
    case "disconnect":
      return 0xe0;
    case "auth":
      return 0xf0;
  }
}

/** A cursor over the output buffer. */
class Output {
  bytes: Uint8Array;
  pos: number;
  constructor(bytes: Uint8Array, pos: number) {
    this.bytes = bytes;
    this.pos = pos;
  }
  u8(value: number): void {
    this.bytes[this.pos++] = value;
  }
  u16(value: number): void {
    this.bytes[this.pos++] = value >>> 8;
    this.bytes[this.pos++] = value & 0xff;
  }
  u32(value: number): void {
    this.bytes[this.pos++] = value >>> 24;
    this.bytes[this.pos++] = (value >>> 16) & 0xff;
    this.bytes[this.pos++] = (value >>> 8) & 0xff;
    this.bytes[this.pos++] = value & 0xff;
  }
  varint(value: number): void {
    do {
      let byte = value % 128;
      value = Math.floor(value / 128);
      if (value > 0) byte |= 0x80;
      this.bytes[this.pos++] = byte;
    } while (value > 0);
  }
  string(text: string): void {
    const written = writeUtf8(text, this.bytes, this.pos + 2);
    this.u16(written);
    this.pos += written;
  }
  binary(value: Uint8Array): void {
    this.u16(value.length);
    this.bytes.set(value, this.pos);
    this.pos += value.length;
  }
}

// One cursor, reused: writing allocates nothing but the output itself.
const output = new Output(new Uint8Array(0), 0);

// The properties of the packet just measured (not its will's).
function writeOwnProperties(out: Output, kind: string, given: Properties): void {
  writeProperties(out, kind, given, measured.propertiesLength, measured.properties);
}

function writeProperties(
  out: Output,
  kind: string,
  given: Properties,
  length: number,
  present: readonly number[],
): void {
  out.varint(length);
  if (!given || length === 0) return;
  const properties = given as Record<string, unknown>;
  const definitions = PROPERTIES_OF.get(kind)!;
  for (const index of present) {
    const definition = definitions[index];
    if (definition.id === 0x0b && kind === "publish") {
      for (const id of properties.subscriptionIdentifiers as number[]) {
        out.u8(0x0b);
        out.varint(id);
      }
      continue;
    }
    const value = properties[definition.name];
    if (definition.kind === "pair") {
      for (const [key, text] of value as UserProperties) {
        out.u8(0x26);
        out.string(key);
        out.string(text);
      }
      continue;
    }
    out.u8(definition.id);
    switch (definition.kind) {
      case "byte":
        out.u8(value as number);
        break;
      case "flag":
        out.u8(value ? 1 : 0);
        break;
      case "u16":
        out.u16(value as number);
        break;
      case "u32":
        out.u32(value as number);
        break;
      case "varint":
        out.varint(value as number);
        break;
      case "string":
        out.string(value as string);
        break;
      case "binary":
        out.binary(value as Uint8Array);
        break;
    }
  }
}

/**
 * Writes the packet just measured by `measurePacket` at `offset` of `target`, which has
 * room for `packetSize(remainingLength)` bytes. Returns the offset after the packet.
 */
export function writePacket(
  packet: Packet,
  version: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  const out = output;
  out.bytes = target;
  out.pos = offset;
  const v5 = version === 5;
  out.u8(firstByte(packet));
  out.varint(measured.remainingLength);
  switch (packet.type) {
    case "connect": {
      const will = packet.will;
      out.u16(4);
      out.u32(0x4d515454); // "MQTT"
      out.u8(version);
      out.u8(
        (packet.username !== undefined ? 0x80 : 0) |
          (packet.password !== undefined ? 0x40 : 0) |
          (will ? (will.retain ? 0x20 : 0) | (will.qos << 3) | 0x04 : 0) |
          (packet.cleanStart ? 0x02 : 0),
      );
      out.u16(packet.keepAlive);
      if (v5) {
        writeOwnProperties(out, "connect", packet.properties);
      }
      out.string(packet.clientId);
      if (will) {
        if (v5) {
          writeProperties(
            out,
            "will",
            will.properties,
            measured.willPropertiesLength,
            measured.willProperties,
          );
        }
        out.string(will.topic);
        out.binary(will.payload);
      }
      if (packet.username !== undefined) out.string(packet.username);
      if (packet.password !== undefined) out.binary(packet.password);
      break;
    }
    case "connack":
      out.u8(packet.sessionPresent ? 1 : 0);
      out.u8(packet.reasonCode);
      if (v5) {
        writeOwnProperties(out, "connack", packet.properties);
      }
      break;
    case "publish":
      out.string(packet.topic);
      if (packet.qos > 0) out.u16(packet.packetId!);
      if (v5) {
        writeOwnProperties(out, "publish", packet.properties);
      }
      out.bytes.set(packet.payload, out.pos);
      out.pos += packet.payload.length;
      break;
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      out.u16(packet.packetId);
      if (v5) writeReasonAndProperties(out, packet.type, packet.reasonCode ?? 0, packet.properties);
      break;
    case "subscribe":
      out.u16(packet.packetId);
      if (v5) {
        writeOwnProperties(out, "subscribe", packet.properties);
      }
      for (const subscription of packet.subscriptions) {
        out.string(subscription.topicFilter);
        out.u8(
          v5
            ? subscription.qos | (subscription.noLocal ? 4 : 0) |
              (subscription.retainAsPublished ? 8 : 0) | ((subscription.retainHandling ?? 0) << 4)
            : subscription.qos,
        );
      }
      break;
    case "suback":
    case "unsuback":
      out.u16(packet.packetId);
      if (v5) {
        writeOwnProperties(out, packet.type, packet.properties);
      }
      if (v5 || packet.type === "suback") {
        for (const code of packet.reasonCodes) out.u8(code);
      }
      break;
    case "unsubscribe":
      out.u16(packet.packetId);
      if (v5) {
        writeOwnProperties(out, "unsubscribe", packet.properties);
      }
      for (const filter of packet.topicFilters) out.string(filter);
      break;
    case "disconnect":
    case "auth":
      if (v5) {
        out.u8(packet.reasonCode ?? 0);
        writeOwnProperties(out, packet.type, packet.properties);
      }
      break;
  }
  return out.pos;
}

function writeReasonAndProperties(
  out: Output,
  kind: string,
  reasonCode: number,
  properties: Properties,
): void {
  if (measured.propertiesLength > 0) {
    out.u8(reasonCode);
    writeOwnProperties(out, kind, properties);
  } else if (reasonCode !== 0) {
    out.u8(reasonCode);
  }
}
