import assert from "node:assert/strict";
import { chartsOf, panelsOf } from "./plot.ts";
import type { BenchResults } from "./_report.ts";

function results(): BenchResults {
  const round = (scenario: string, client: string, round: number, rate: number) => ({
    scenario,
    client,
    round,
    rate,
    cpuMicrosPerMessage: 1e6 / rate,
  });
  return {
    script: "example",
    startedAt: "2026-12-06T22:00:00.000Z",
    machine: {
      cpus: 2,
      cpuModel: "test",
      loadAverageAtStart: [3.5],
      loadAverageAtEnd: [4],
      deno: "2.9.6",
      v8: "15",
      os: "linux x86_64",
    },
    settings: { count: 1000, rounds: 2 },
    rounds: [
      round("send", "Tern", 0, 400),
      round("send", "MQTT.js", 0, 100),
      round("send", "Tern", 1, 300),
      round("send", "MQTT.js", 1, 200),
    ],
    latency: [{ scenario: "round trip", client: "Tern", samplesMs: [0.1, 0.2, 0.3, 1.5] }],
    memory: [{ client: "Tern", heapKiBPerConnection: 11, rssKiBPerConnection: 13 }],
  };
}

Deno.test("a panel's bar is the best round and its line spans every round", () => {
  const [panel] = panelsOf(results().rounds, (r) => r.rate);
  assert.deepEqual(panel.title, "send");
  assert.deepEqual(panel.bars, [
    { client: "Tern", value: 400, min: 300, max: 400 },
    { client: "MQTT.js", value: 200, min: 100, max: 200 },
  ]);
});

Deno.test("the CPU chart takes the CPU of the round with the best rate", () => {
  const [panel] = panelsOf(results().rounds, (r) => r.cpuMicrosPerMessage);
  assert.deepEqual(panel.bars[0].value, 2500);
  assert.deepEqual(panel.bars[1].value, 5000);
});

Deno.test("one results file gives throughput, CPU, latency and memory charts", () => {
  const charts = chartsOf(results());
  assert.deepEqual([...charts.keys()], [
    "example_throughput.svg",
    "example_cpu.svg",
    "example_latency.svg",
    "example.svg",
  ]);
  const throughput = charts.get("example_throughput.svg")!;
  assert.match(throughput, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(throughput, /load average 3.5–4/);
  // Bar lengths are proportional to the values on the panel's own scale.
  const widths = [
    ...throughput.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="18"/g),
  ]
    .map((m) => Number(m[1]));
  assert.deepEqual(widths.length, 2);
  assert.deepEqual(Math.round(widths[0] / widths[1] * 100) / 100, 2);
  assert.match(charts.get("example_latency.svg")!, /p50 0.300 · p99 1.500 ms/);
});
