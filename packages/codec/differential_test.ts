// Differential tests against mqtt-packet, the codec inside MQTT.js, in both directions.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import mqtt from "mqtt-packet";
import { Decoder, encode, encodeAll } from "./mod.ts";
import type { Packet, ProtocolVersion } from "./packet.ts";
import { Random } from "./testdata/random.ts";
import { randomPacket } from "./testdata/random_packets.ts";
import {
  fromMqttPacket,
  isCanonical,
  type MqttPacket,
  normalize,
  toMqttPacket,
} from "./testdata/mqtt_packet_model.ts";

const COUNT = 10_000;

function parseWithMqttPacket(bytes: Uint8Array, version: ProtocolVersion): MqttPacket[] {
  const parser = mqtt.parser({ protocolVersion: version });
  const packets: MqttPacket[] = [];
  const errors: Error[] = [];
  parser.on("packet", (packet: MqttPacket) => packets.push(packet));
  parser.on("error", (error: Error) => errors.push(error));
  parser.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (errors.length > 0) throw errors[0];
  return packets;
}

// mqtt-packet cannot encode a password without a user name, which MQTT 5 allows
// (writeToStream.js: "Username is required to use password").
function mqttPacketCanEncode(packet: Packet): boolean {
  return !(packet.type === "connect" && packet.password !== undefined &&
    packet.username === undefined);
}

for (const version of [4, 5] as const) {
  const seed = 0x7e57 + version;

  Deno.test(`mqtt-packet parses ${COUNT} random v${version} packets encoded by Tern to the same packets`, () => {
    const random = new Random(seed);
    const packets = Array.from({ length: COUNT }, () => randomPacket(random, version));
    const parsed = parseWithMqttPacket(encodeAll(packets, { version }), version);
    assert.equal(parsed.length, packets.length);
    for (let i = 0; i < packets.length; i++) {
      assert.deepEqual(
        normalize(fromMqttPacket(parsed[i], version)),
        normalize(packets[i]),
        `packet ${i} (seed ${seed})`,
      );
    }
  });

  Deno.test(`Tern decodes ${COUNT} random v${version} packets encoded by mqtt-packet to the same packets, byte-identical where canonical`, () => {
    const random = new Random(seed + 100);
    const packets = Array.from({ length: COUNT }, () => randomPacket(random, version))
      .filter(mqttPacketCanEncode);
    const chunks: Uint8Array[] = [];
    let identical = 0;
    for (const packet of packets) {
      const bytes = new Uint8Array(
        mqtt.generate(toMqttPacket(packet, version), { protocolVersion: version }),
      );
      chunks.push(bytes);
      if (isCanonical(packet, version)) {
        assert.deepEqual(
          bytes,
          encode(packet, { version }),
          `bytes of ${JSON.stringify(packet.type)}`,
        );
        identical++;
      }
    }
    assert.ok(identical > packets.length * 0.8, `only ${identical} canonical packets`);
    // Feed the whole stream in random chunk sizes.
    const stream = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      stream.set(chunk, offset);
      offset += chunk.length;
    }
    const decoder = new Decoder({ version });
    const decoded: Packet[] = [];
    for (let at = 0; at < stream.length;) {
      const size = random.pick([1, 2, 7, 100, 1500, 65536]);
      decoded.push(...decoder.push(stream.subarray(at, at + size)));
      at += size;
    }
    assert.equal(decoded.length, packets.length);
    for (let i = 0; i < packets.length; i++) {
      assert.deepEqual(
        normalize(decoded[i]),
        normalize(packets[i]),
        `packet ${i} (seed ${seed + 100})`,
      );
    }
  });
}
