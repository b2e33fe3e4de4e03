// Seeded random packets that are valid for a protocol version, in the form the decoder
// returns them (so a round trip compares with deepEqual).
import type { Packet, ProtocolVersion, QoS, UserProperties } from "../packet.ts";
import { VALID_REASON_CODES, VALID_SUBACK_V4_CODES } from "../_packet_types.ts";
import { PROPERTIES_OF } from "../_properties.ts";
import type { Random } from "./random.ts";

// Characters for strings: ASCII, two-, three- and four-byte UTF-8.
const CHARACTERS = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_. $",
  "é",
  "ü",
  "ß",
  "中",
  "€",
  "\u{ffff}",
  "😀",
  "\u{10ffff}",
];
const FILTER_CHARACTERS = [...CHARACTERS, "+", "#"];

function randomText(random: Random, min: number, max: number, characters = CHARACTERS): string {
  const length = random.int(min, max);
  let text = "";
  for (let i = 0; i < length; i++) text += random.pick(characters);
  return text;
}

function randomTopic(random: Random): string {
  // Mostly from a small set, as in real traffic, so interning is exercised too.
  return random.chance(0.5)
    ? random.pick(["sensors/device-42/temperature", "a", "a/b/c", "$SYS/x", "ünï/cödé"])
    : randomText(random, 1, 40);
}

function randomUserProperties(random: Random): UserProperties {
  const pairs: UserProperties = [];
  const count = random.int(1, 4);
  for (let i = 0; i < count; i++) {
    pairs.push([
      random.chance(0.3) ? "key" : randomText(random, 0, 12),
      // Not empty: mqtt-packet's parser drops an empty value when its key repeats.
      randomText(random, 1, 20),
    ]);
  }
  return pairs;
}

function randomProperties(random: Random, kind: string): Record<string, unknown> | undefined {
  if (random.chance(0.3)) return undefined;
  const properties: Record<string, unknown> = {};
  for (const definition of PROPERTIES_OF.get(kind)!) {
    if (!random.chance(0.4)) continue;
    switch (definition.kind) {
      case "byte":
        properties[definition.name] = random.int(0, 1);
        break;
      case "flag":
        properties[definition.name] = random.chance(0.5);
        break;
      case "u16":
        properties[definition.name] = random.int(1, 65535);
        break;
      case "u32":
        properties[definition.name] = random.chance(0.2) ? 0xffffffff : random.int(1, 0xfffffff);
        break;
      case "varint": {
        const id = () => random.pick([1, 127, 128, 16383, 16384, 2097151, 2097152, 268435455]);
        if (kind === "publish") {
          properties.subscriptionIdentifiers = Array.from({ length: random.int(1, 3) }, id);
        } else {
          properties[definition.name] = id();
        }
        break;
      }
      case "string":
        properties[definition.name] = randomText(random, 0, 30);
        break;
      case "binary":
        properties[definition.name] = random.bytes(random.int(0, 20));
        break;
      case "pair":
        properties[definition.name] = randomUserProperties(random);
        break;
    }
  }
  return Object.keys(properties).length > 0 ? properties : undefined;
}

function withProperties<T extends object>(
  packet: T,
  properties: Record<string, unknown> | undefined,
): T {
  return properties ? { ...packet, properties } : packet;
}

const V4_TYPES = [
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
] as const;
const V5_TYPES = [...V4_TYPES, "auth"] as const;

function randomPacketId(random: Random): number {
  return random.pick([1, 2, 255, 256, 65535, random.int(1, 65535)]);
}

function randomCode(random: Random, type: string, version: ProtocolVersion): number {
  if (version === 4) {
    return type === "suback" ? random.pick([...VALID_SUBACK_V4_CODES]) : random.int(0, 5);
  }
  return random.pick([...VALID_REASON_CODES.get(type)!]);
}

/** A random packet that is valid for `version`. */
export function randomPacket(random: Random, version: ProtocolVersion): Packet {
  const v5 = version === 5;
  const type = random.pick(v5 ? V5_TYPES : V4_TYPES);
  switch (type) {
    case "connect": {
      const cleanStart = random.chance(0.5);
      const packet: Packet = {
        type,
        // mqtt-packet requires a client identifier without a clean session.
        clientId: cleanStart && random.chance(0.2) ? "" : randomText(random, 1, 23),
        cleanStart,
        keepAlive: random.int(0, 65535),
      };
      if (random.chance(0.5)) {
        packet.will = {
          topic: randomTopic(random),
          payload: random.bytes(random.int(0, 30)),
          qos: random.int(0, 2) as QoS,
          retain: random.chance(0.5),
        };
        const willProperties = v5 ? randomProperties(random, "will") : undefined;
        if (willProperties) packet.will.properties = willProperties;
      }
      if (random.chance(0.6)) packet.username = randomText(random, 0, 20);
      if ((packet.username !== undefined || v5) && random.chance(0.5)) {
        packet.password = random.bytes(random.int(0, 20));
      }
      return withProperties(packet, v5 ? randomProperties(random, "connect") : undefined);
    }
    case "connack":
      return withProperties(
        { type, sessionPresent: random.chance(0.5), reasonCode: randomCode(random, type, version) },
        v5 ? randomProperties(random, type) : undefined,
      );
    case "publish": {
      const qos = random.int(0, 2) as QoS;
      let properties = v5 ? randomProperties(random, type) : undefined;
      let topic = randomTopic(random);
      if (v5 && random.chance(0.1)) {
        topic = "";
        properties = { ...properties, topicAlias: random.int(1, 65535) };
      }
      const packet: Packet = {
        type,
        topic,
        payload: random.bytes(random.pick([0, 1, 10, 64, random.int(0, 300)])),
        qos,
        retain: random.chance(0.5),
        dup: qos > 0 && random.chance(0.3),
      };
      if (qos > 0) packet.packetId = randomPacketId(random);
      return withProperties(packet, properties);
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return withProperties(
        {
          type,
          packetId: randomPacketId(random),
          reasonCode: v5 ? randomCode(random, type, version) : 0,
        },
        v5 ? randomProperties(random, type) : undefined,
      );
    case "subscribe":
      return withProperties(
        {
          type,
          packetId: randomPacketId(random),
          subscriptions: Array.from({ length: random.int(1, 4) }, () => {
            const topicFilter = randomText(random, 1, 30, FILTER_CHARACTERS);
            const qos = random.int(0, 2) as QoS;
            return v5
              ? {
                topicFilter,
                qos,
                noLocal: random.chance(0.5),
                retainAsPublished: random.chance(0.5),
                retainHandling: random.int(0, 2) as 0 | 1 | 2,
              }
              : { topicFilter, qos };
          }),
        },
        v5 ? randomProperties(random, type) : undefined,
      );
    case "suback":
    case "unsuback":
      return withProperties(
        {
          type,
          packetId: randomPacketId(random),
          reasonCodes: type === "unsuback" && !v5
            ? []
            : Array.from({ length: random.int(1, 5) }, () => randomCode(random, type, version)),
        },
        v5 ? randomProperties(random, type) : undefined,
      );
    case "unsubscribe":
      return withProperties(
        {
          type,
          packetId: randomPacketId(random),
          topicFilters: Array.from(
            { length: random.int(1, 4) },
            () => randomText(random, 1, 30, FILTER_CHARACTERS),
          ),
        },
        v5 ? randomProperties(random, type) : undefined,
      );
    case "pingreq":
    case "pingresp":
      return { type };
    case "disconnect":
    case "auth":
      return withProperties(
        { type, reasonCode: v5 ? randomCode(random, type, version) : 0 },
        v5 ? randomProperties(random, type) : undefined,
      );
  }
}
