// Conversions between Tern's packet model and mqtt-packet's, for differential tests.
import { Buffer } from "node:buffer";
import type { Packet, ProtocolVersion, UserProperties } from "../packet.ts";
import { PROPERTIES_OF } from "../_properties.ts";

// deno-lint-ignore no-explicit-any
export type MqttPacket = any;

function userPropertiesToMqtt(pairs: UserProperties): Record<string, string | string[]> {
  const grouped: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of pairs) {
    const existing = grouped[key];
    if (existing === undefined) grouped[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else grouped[key] = [existing, value];
  }
  return grouped;
}

function propertiesToMqtt(kind: string, properties: object | undefined): MqttPacket {
  if (!properties) return undefined;
  const given = properties as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // mqtt-packet writes properties in key order: use the order Tern writes them in.
  for (const definition of PROPERTIES_OF.get(kind)!) {
    if (definition.id === 0x0b && kind === "publish") {
      if (given.subscriptionIdentifiers) out.subscriptionIdentifier = given.subscriptionIdentifiers;
      continue;
    }
    const value = given[definition.name];
    if (value === undefined) continue;
    if (definition.kind === "pair") {
      out[definition.name] = userPropertiesToMqtt(value as UserProperties);
    } else if (definition.kind === "binary") {
      out[definition.name] = Buffer.from(value as Uint8Array);
    } // mqtt-packet types Payload Format Indicator as a boolean.
    else if (definition.id === 0x01) out[definition.name] = value === 1;
    else out[definition.name] = value;
  }
  return out;
}

function propertiesOf(packet: Packet): { userProperties?: UserProperties } | undefined {
  return "properties" in packet ? packet.properties : undefined;
}

/** The mqtt-packet object for a Tern packet. */
export function toMqttPacket(packet: Packet, version: ProtocolVersion): MqttPacket {
  const v5 = version === 5;
  const properties = v5 ? propertiesToMqtt(packet.type, propertiesOf(packet)) : undefined;
  const base: MqttPacket = { cmd: packet.type };
  if (properties) base.properties = properties;
  switch (packet.type) {
    case "connect": {
      Object.assign(base, {
        protocolId: "MQTT",
        protocolVersion: version,
        clean: packet.cleanStart,
        clientId: packet.clientId,
        keepalive: packet.keepAlive,
      });
      if (packet.username !== undefined) base.username = packet.username;
      if (packet.password !== undefined) base.password = Buffer.from(packet.password);
      if (packet.will) {
        base.will = {
          topic: packet.will.topic,
          payload: Buffer.from(packet.will.payload),
          qos: packet.will.qos,
          retain: packet.will.retain,
        };
        const willProperties = v5 ? propertiesToMqtt("will", packet.will.properties) : undefined;
        if (willProperties) base.will.properties = willProperties;
      }
      return base;
    }
    case "connack":
      base.sessionPresent = packet.sessionPresent;
      if (v5) base.reasonCode = packet.reasonCode;
      else base.returnCode = packet.reasonCode;
      return base;
    case "publish":
      Object.assign(base, {
        topic: packet.topic,
        payload: Buffer.from(packet.payload),
        qos: packet.qos,
        retain: packet.retain,
        dup: packet.dup,
      });
      if (packet.qos > 0) base.messageId = packet.packetId;
      return base;
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      base.messageId = packet.packetId;
      if (v5) base.reasonCode = packet.reasonCode ?? 0;
      return base;
    case "subscribe":
      base.messageId = packet.packetId;
      base.subscriptions = packet.subscriptions.map((s) =>
        v5
          ? {
            topic: s.topicFilter,
            qos: s.qos,
            nl: s.noLocal ?? false,
            rap: s.retainAsPublished ?? false,
            rh: s.retainHandling ?? 0,
          }
          : { topic: s.topicFilter, qos: s.qos }
      );
      return base;
    case "suback":
    case "unsuback":
      base.messageId = packet.packetId;
      if (packet.type === "suback" || v5) base.granted = packet.reasonCodes;
      return base;
    case "unsubscribe":
      base.messageId = packet.packetId;
      base.unsubscriptions = packet.topicFilters;
      return base;
    case "pingreq":
    case "pingresp":
      return base;
    case "disconnect":
    case "auth":
      if (v5) base.reasonCode = packet.reasonCode ?? 0;
      return base;
  }
}

function bytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

function propertiesFromMqtt(kind: string, properties: MqttPacket): MqttPacket {
  if (!properties || Object.keys(properties).length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (name === "userProperties") {
      const pairs: UserProperties = [];
      for (const [key, values] of Object.entries(value as Record<string, string | string[]>)) {
        for (const v of Array.isArray(values) ? values : [values]) pairs.push([key, v]);
      }
      out.userProperties = pairs;
    } else if (name === "subscriptionIdentifier" && kind === "publish") {
      out.subscriptionIdentifiers = Array.isArray(value) ? value : [value];
    } else if (name === "payloadFormatIndicator") {
      out[name] = value ? 1 : 0;
    } else if (value instanceof Uint8Array) {
      out[name] = bytes(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

/** The Tern packet (as the decoder returns it) for a packet mqtt-packet parsed. */
export function fromMqttPacket(p: MqttPacket, version: ProtocolVersion): Packet {
  const v5 = version === 5;
  const properties = propertiesFromMqtt(p.cmd, p.properties);
  const withProperties = <T extends object>(packet: T): T =>
    properties ? { ...packet, properties } : packet;
  switch (p.cmd) {
    case "connect": {
      const packet: Packet = {
        type: "connect",
        clientId: p.clientId,
        cleanStart: p.clean,
        keepAlive: p.keepalive,
      };
      if (p.username !== undefined) packet.username = p.username;
      if (p.password !== undefined) packet.password = bytes(p.password);
      if (p.will) {
        packet.will = {
          topic: p.will.topic,
          payload: bytes(p.will.payload),
          qos: p.will.qos,
          retain: p.will.retain,
        };
        const willProperties = propertiesFromMqtt("will", p.will.properties);
        if (willProperties) packet.will.properties = willProperties;
      }
      return withProperties(packet);
    }
    case "connack":
      return withProperties({
        type: "connack",
        sessionPresent: p.sessionPresent,
        reasonCode: v5 ? p.reasonCode : p.returnCode,
      });
    case "publish": {
      const packet: Packet = {
        type: "publish",
        topic: p.topic,
        payload: bytes(p.payload),
        qos: p.qos,
        retain: p.retain,
        dup: p.dup,
      };
      if (p.qos > 0) packet.packetId = p.messageId;
      return withProperties(packet);
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return withProperties({ type: p.cmd, packetId: p.messageId, reasonCode: p.reasonCode ?? 0 });
    case "subscribe":
      return withProperties({
        type: "subscribe",
        packetId: p.messageId,
        subscriptions: p.subscriptions.map((s: MqttPacket) =>
          v5
            ? {
              topicFilter: s.topic,
              qos: s.qos,
              noLocal: s.nl,
              retainAsPublished: s.rap,
              retainHandling: s.rh,
            }
            : { topicFilter: s.topic, qos: s.qos }
        ),
      });
    case "suback":
    case "unsuback":
      return withProperties({ type: p.cmd, packetId: p.messageId, reasonCodes: p.granted ?? [] });
    case "unsubscribe":
      return withProperties({
        type: "unsubscribe",
        packetId: p.messageId,
        topicFilters: p.unsubscriptions,
      });
    case "pingreq":
    case "pingresp":
      return { type: p.cmd };
    default:
      return withProperties({ type: p.cmd, reasonCode: p.reasonCode ?? 0 });
  }
}

/**
 * A packet with its user properties grouped by key (first appearance first), which is all
 * mqtt-packet's model keeps of their order; Uint8Array subclasses become plain ones.
 */
export function normalize<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map(normalize) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = key === "userProperties"
      ? Object.entries(userPropertiesToMqtt(child as UserProperties)).flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((item) => [k, item])
      )
      : normalize(child);
  }
  return out as T;
}

/**
 * Whether mqtt-packet and Tern must produce the same bytes for `packet`: user properties
 * whose repeated keys are adjacent (mqtt-packet groups them) and not integer-like (a JS
 * object lists those first), and no MQTT 5 acknowledgement
 * with a reason code but no properties (Tern leaves out the empty property length, §3.4.2.1).
 */
export function isCanonical(packet: Packet, version: ProtocolVersion): boolean {
  const lists: UserProperties[] = [];
  const collect = (properties: { userProperties?: UserProperties } | undefined) => {
    if (properties?.userProperties) lists.push(properties.userProperties);
  };
  collect(propertiesOf(packet));
  if (packet.type === "connect") collect(packet.will?.properties);
  for (const pairs of lists) {
    // JavaScript objects list integer-like keys first, whatever their insertion order.
    if (pairs.some(([key]) => /^(0|[1-9][0-9]*)$/.test(key))) return false;
    const finished = new Set<string>();
    for (let i = 0; i < pairs.length; i++) {
      if (finished.has(pairs[i][0])) return false;
      if (i + 1 < pairs.length && pairs[i + 1][0] !== pairs[i][0]) finished.add(pairs[i][0]);
    }
  }
  if (
    version === 5 &&
    (packet.type === "puback" || packet.type === "pubrec" || packet.type === "pubrel" ||
      packet.type === "pubcomp") &&
    (packet.reasonCode ?? 0) !== 0 && !packet.properties
  ) return false;
  return true;
}
