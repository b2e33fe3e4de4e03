/**
 * Median speed ratios of Tern's codec over mqtt-packet for the six cases of issue 2 §5,
 * measured in one process with the two interleaved round by round.
 *
 * Run with `deno run -A bench/codec_ratios.ts [rounds] [--json] [--out file]`; prints a
 * Markdown table. With `--json`, every round's rates go to `bench/results/codec_ratios.json`
 * (there "CPU per message" is the wall time per packet: the codec is synchronous code on
 * one thread).
 *
 * @module
 */
import { parseArgs } from "node:util";
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
import { jsonOptions, Report } from "./_report.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: jsonOptions,
  allowPositionals: true,
});
const ROUNDS = Number(positionals[0] ?? 15);
const ENCODE_COUNT = 2000;
const report = new Report(
  "codec_ratios",
  { rounds: ROUNDS, encodeCount: ENCODE_COUNT, cpuIsWallTime: true },
  CASES.length * ROUNDS,
);
/** Records one side of one round: `count` packets in `ms`. */
function record(scenario: string, client: string, round: number, count: number, ms: number) {
  return {
    scenario,
    client,
    round,
    rate: count / (ms / 1000),
    cpuMicrosPerMessage: (ms * 1000) / count,
  };
}

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
    const ourEncode = time(() => encodeTern(c, ENCODE_COUNT));
    const ourBatch = time(batch);
    encodeRatios.push(theirEncode / ourEncode);
    batchRatios.push(theirEncode / ourBatch);
    const decodeName = `${c.name}: decode`;
    const encodeName = `${c.name}: encode`;
    // The progress line shows Tern's decode; the other sides are recorded beside it.
    report.round(record(decodeName, "Tern", round, c.packetsPerStream, ours));
    report.results.rounds.push(
      record(decodeName, "mqtt-packet", round, c.packetsPerStream, theirs),
      record(encodeName, "Tern encode()", round, ENCODE_COUNT, ourEncode),
      record(encodeName, "Tern PacketWriter", round, ENCODE_COUNT, ourBatch),
      record(encodeName, "mqtt-packet", round, ENCODE_COUNT, theirEncode),
    );
  }
  rows.push(
    `| ${c.name} | ${median(mqttDecode).toFixed(2)} | ${median(ternDecode).toFixed(2)} | ` +
      `**${median(decodeRatios).toFixed(1)}×** | **${median(encodeRatios).toFixed(1)}×** | ` +
      `${median(batchRatios).toFixed(1)}× |`,
  );
}

await report.finish({ json: values.json, out: values.out });
const print = values.out === "-" ? console.error : console.log;
print(
  "| case | mqtt-packet decode (M packets/s) | Tern decode (M packets/s) | decode ratio | encode ratio (`encode()`) | encode ratio (`PacketWriter`) |",
);
print("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) print(row);
if (sinkValue() === 0) print("(nothing was decoded)");
