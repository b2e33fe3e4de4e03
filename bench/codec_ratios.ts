/**
 * Median speed ratios of Tern's codec over mqtt-packet for the six cases of issue 2 §5,
 * measured in one process with the two interleaved round by round.
 *
 * Run with `deno run -A bench/codec_ratios.ts`; prints a Markdown table.
 *
 * @module
 */
import { Decoder, PacketWriter } from "../packages/codec/mod.ts";
import {
  CASES,
  decodeTern,
  encodeMqttPacket,
  encodeTern,
  encodeTernBatch,
  mqttPacketDecoder,
  sinkValue,
} from "./codec_cases.ts";

const ROUNDS = Number(Deno.args[0] ?? 15);
const ENCODE_COUNT = 2000;

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const rows: string[] = [];
for (const c of CASES) {
  const decoder = new Decoder({ version: c.version });
  const writer = new PacketWriter({ version: c.version });
  const batch = () => encodeTernBatch(c, writer, ENCODE_COUNT);
  const decodeMqttPacket = mqttPacketDecoder(c);
  // Warm up both sides so the JIT has settled before measuring.
  for (let i = 0; i < 5; i++) {
    decodeTern(c, decoder);
    decodeMqttPacket();
    encodeTern(c, ENCODE_COUNT);
    encodeMqttPacket(c, ENCODE_COUNT);
    batch();
  }
  const decodeRatios: number[] = [];
  const encodeRatios: number[] = [];
  const batchRatios: number[] = [];
  const ternDecode: number[] = [];
  const mqttDecode: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const theirs = time(() => decodeMqttPacket());
    const ours = time(() => decodeTern(c, decoder));
    decodeRatios.push(theirs / ours);
    ternDecode.push(c.packetsPerStream / ours / 1000);
    mqttDecode.push(c.packetsPerStream / theirs / 1000);
    const theirEncode = time(() => encodeMqttPacket(c, ENCODE_COUNT));
    encodeRatios.push(theirEncode / time(() => encodeTern(c, ENCODE_COUNT)));
    batchRatios.push(theirEncode / time(batch));
  }
  rows.push(
    `| ${c.name} | ${median(mqttDecode).toFixed(2)} | ${median(ternDecode).toFixed(2)} | ` +
      `**${median(decodeRatios).toFixed(1)}×** | **${median(encodeRatios).toFixed(1)}×** | ` +
      `${median(batchRatios).toFixed(1)}× |`,
  );
}

console.log(
  "| case | mqtt-packet decode (M packets/s) | Tern decode (M packets/s) | decode ratio | encode ratio (`encode()`) | encode ratio (`PacketWriter`) |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
if (sinkValue() === 0) console.log("(nothing was decoded)");
