// The benchmark cases of issue 2 §5, shared by codec_bench.ts and codec_ratios.ts.
import { Buffer } from "node:buffer";
import mqtt from "mqtt-packet";
import { type Decoder, encode, encodeAll, type PacketWriter } from "../packages/codec/mod.ts";
import type { Packet, ProtocolVersion } from "../packages/codec/mod.ts";
import { type MqttPacket, toMqttPacket } from "../packages/codec/testdata/mqtt_packet_model.ts";

/** One benchmark case: a packet, its mqtt-packet twin and a stream of copies in 64 KiB chunks. */
export interface CodecCase {
  name: string;
  version: ProtocolVersion;
  packet: Packet;
  mqttPacket: MqttPacket;
  /** Copies of the packet back to back, cut into 64 KiB chunks (packets straddle chunks). */
  chunks: Uint8Array[];
  buffers: Buffer[];
  packetsPerStream: number;
}

const CHUNK = 64 * 1024;
const STREAM_BYTES = 4 * CHUNK;
const text = new TextEncoder();

function makeCase(name: string, version: ProtocolVersion, packet: Packet): CodecCase {
  const size = encode(packet, { version }).length;
  const count = Math.ceil(STREAM_BYTES / size);
  const stream = encodeAll(Array.from({ length: count }, () => packet), { version });
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += CHUNK) chunks.push(stream.slice(at, at + CHUNK));
  return {
    name,
    version,
    packet,
    mqttPacket: toMqttPacket(packet, version),
    chunks,
    buffers: chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)),
    packetsPerStream: count,
  };
}

/** The six cases of the issue. */
export const CASES: CodecCase[] = [
  makeCase("64 B QoS 0 PUBLISH (3.1.1)", 4, {
    type: "publish",
    topic: "sensors/device-42/temperature",
    payload: new Uint8Array(64).fill(0x41),
    qos: 0,
    retain: false,
    dup: false,
  }),
  makeCase("1 KiB QoS 1 PUBLISH (3.1.1)", 4, {
    type: "publish",
    topic: "sensors/device-42/temperature",
    payload: new Uint8Array(1024).fill(0x42),
    qos: 1,
    packetId: 42,
    retain: false,
    dup: false,
  }),
  makeCase("MQTT 5 QoS 1 PUBLISH with properties", 5, {
    type: "publish",
    topic: "sensors/device-42/temperature",
    payload: text.encode('{"temperature":21.5,"unit":"C"}'),
    qos: 1,
    packetId: 42,
    retain: false,
    dup: false,
    properties: {
      messageExpiryInterval: 3600,
      userProperties: [["device", "42"], ["firmware", "1.4.2"]],
      contentType: "application/json",
    },
  }),
  makeCase("PUBACK (3.1.1)", 4, { type: "puback", packetId: 42, reasonCode: 0 }),
  makeCase("SUBSCRIBE with 3 filters (3.1.1)", 4, {
    type: "subscribe",
    packetId: 7,
    subscriptions: [
      { topicFilter: "sensors/+/temperature", qos: 1 },
      { topicFilter: "devices/42/commands/#", qos: 1 },
      { topicFilter: "$aws/things/device-42/shadow/update/delta", qos: 0 },
    ],
  }),
  makeCase("MQTT 5 CONNECT with will and properties", 5, {
    type: "connect",
    clientId: "device-42",
    cleanStart: true,
    keepAlive: 60,
    username: "device-42",
    password: text.encode("secret"),
    will: {
      topic: "devices/42/status",
      payload: text.encode("offline"),
      qos: 1,
      retain: true,
      properties: { willDelayInterval: 5, contentType: "text/plain" },
    },
    properties: {
      sessionExpiryInterval: 3600,
      receiveMaximum: 100,
      maximumPacketSize: 1048576,
      topicAliasMaximum: 10,
      userProperties: [["client", "tern"]],
    },
  }),
];

// Reading every packet's topic and payload keeps the work from being optimised away and
// is what a consumer does.
let sink = 0;
function consume(packet: { topic?: string; payload?: Uint8Array | null }): void {
  sink += (packet.topic?.length ?? 0) + (packet.payload?.length ?? 0);
}

/** Decodes the case's stream with `decoder` (long-lived, as a connection keeps one). */
export function decodeTern(c: CodecCase, decoder: Decoder): number {
  let n = 0;
  for (const chunk of c.chunks) {
    const packets = decoder.push(chunk);
    for (let i = 0; i < packets.length; i++) consume(packets[i] as { topic?: string });
    n += packets.length;
  }
  return n;
}

/**
 * A function decoding the case's stream with one long-lived mqtt-packet parser (as a
 * connection keeps one), returning the packets decoded.
 */
export function mqttPacketDecoder(c: CodecCase): () => number {
  const parser = mqtt.parser({ protocolVersion: c.version });
  let n = 0;
  parser.on("packet", (packet: MqttPacket) => {
    consume(packet);
    n++;
  });
  return () => {
    n = 0;
    for (const buffer of c.buffers) parser.parse(buffer);
    return n;
  };
}

/** Encodes the case's packet `count` times with Tern's encode(). */
export function encodeTern(c: CodecCase, count: number): void {
  for (let i = 0; i < count; i++) sink += encode(c.packet, { version: c.version }).length;
}

/** Encodes the case's packet `count` times with mqtt-packet's generate(). */
export function encodeMqttPacket(c: CodecCase, count: number): void {
  const opts = { protocolVersion: c.version };
  for (let i = 0; i < count; i++) sink += mqtt.generate(c.mqttPacket, opts).length;
}

/** Keeps the sink observable. */
export function sinkValue(): number {
  return sink;
}

/** Encodes the case's packet `count` times into one buffer with a PacketWriter. */
export function encodeTernBatch(c: CodecCase, writer: PacketWriter, count: number): void {
  for (let i = 0; i < count; i++) writer.write(c.packet);
  sink += writer.take().length;
}
