// Tern's codec against mqtt-packet (the codec inside MQTT.js), side by side: `deno task bench`.
// Decoding feeds a 256 KiB stream of copies of each packet in 64 KiB chunks and reads every
// topic and payload; encoding writes the packet 1000 times. codec_ratios.ts turns the same
// cases into median ratios for bench/RESULTS.md.
import { Decoder, PacketWriter } from "../packages/codec/mod.ts";
import {
  CASES,
  decodeTern,
  encodeMqttPacket,
  encodeTern,
  encodeTernBatch,
  mqttPacketDecoder,
} from "./codec_cases.ts";

const ENCODE_COUNT = 1000;

for (const c of CASES) {
  const decoder = new Decoder({ version: c.version });
  const decodeMqttPacket = mqttPacketDecoder(c);
  const writer = new PacketWriter({ version: c.version });
  const decodeGroup = `decode ${c.name}`;
  const encodeGroup = `encode ${c.name}`;
  Deno.bench({
    name: "mqtt-packet parser",
    group: decodeGroup,
    baseline: true,
    fn: () => void decodeMqttPacket(),
  });
  Deno.bench({ name: "Tern Decoder", group: decodeGroup, fn: () => void decodeTern(c, decoder) });
  Deno.bench({
    name: "mqtt-packet generate()",
    group: encodeGroup,
    baseline: true,
    fn: () => encodeMqttPacket(c, ENCODE_COUNT),
  });
  Deno.bench({ name: "Tern encode()", group: encodeGroup, fn: () => encodeTern(c, ENCODE_COUNT) });
  Deno.bench({
    name: "Tern PacketWriter",
    group: encodeGroup,
    fn: () => encodeTernBatch(c, writer, ENCODE_COUNT),
  });
}
