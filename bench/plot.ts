/**
 * Draws the charts of the latest benchmark results: every `bench/results/*.json` (written by
 * the agent scripts with `--json`) becomes SVG files in `bench/plots/`: throughput and CPU
 * per message per scenario and client, the latency distribution, memory per connection.
 *
 *   deno task bench:plot        (deno run --allow-read --allow-write bench/plot.ts)
 */
import type { BenchResults, RoundResult } from "./_report.ts";
import { barPanels, type BarPanelsChart, type Panel } from "./plot/bar_panels.ts";
import { latencyChart } from "./plot/latency_chart.ts";

const RESULTS = new URL("results/", import.meta.url);
const PLOTS = new URL("plots/", import.meta.url);

/** What a chart says about where its numbers come from. */
function captionOf(results: BenchResults): string {
  const { machine, settings } = results;
  const load = [machine.loadAverageAtStart[0], machine.loadAverageAtEnd?.[0]]
    .filter((n) => n !== undefined).join("–");
  const unit = results.rounds.length > 0 ? "msgs per run" : "connections";
  const count = settings.count ? `${Number(settings.count).toLocaleString("en-US")} ${unit}` : "";
  const rounds = settings.rounds ? `, best of ${settings.rounds} rounds (range: line)` : "";
  return [
    `${count}${rounds}`.replace(/^, /, ""),
    `${results.startedAt.slice(0, 16).replace("T", " ")} UTC`,
    `Deno ${machine.deno}`,
    `${machine.cpus} shared CPUs, load average ${load}`,
  ].filter((part) => part !== "").join("; ");
}

/** One panel per scenario, one bar per client: the best-rate round, and the rounds' range. */
export function panelsOf(rounds: RoundResult[], value: (r: RoundResult) => number): Panel[] {
  const scenarios = [...new Set(rounds.map((r) => r.scenario))];
  return scenarios.map((scenario) => {
    const ofScenario = rounds.filter((r) => r.scenario === scenario);
    const clients = [...new Set(ofScenario.map((r) => r.client))];
    return {
      title: scenario,
      bars: clients.map((client) => {
        const runs = ofScenario.filter((r) => r.client === client);
        const bestRun = runs.reduce((a, b) => (b.rate > a.rate ? b : a));
        const values = runs.map(value);
        return {
          client,
          value: value(bestRun),
          min: Math.min(...values),
          max: Math.max(...values),
          ...(bestRun.note && { flag: bestRun.note }),
        };
      }),
    };
  });
}

/** Every chart of one results file, by file name. */
export function chartsOf(results: BenchResults): Map<string, string> {
  const charts = new Map<string, string>();
  const caption = captionOf(results);
  const name = results.script;
  const columns = new Set(results.rounds.map((r) => r.scenario)).size > 8 ? 4 : 2;
  if (results.rounds.length > 0) {
    const chart = (title: string, unit: string, panels: Panel[]): BarPanelsChart => ({
      title,
      caption,
      unit,
      panels,
      columns,
    });
    charts.set(
      `${name}_throughput.svg`,
      barPanels(chart(`${name}: throughput`, "msg/s", panelsOf(results.rounds, (r) => r.rate))),
    );
    charts.set(
      `${name}_cpu.svg`,
      barPanels(
        chart(
          `${name}: CPU per message (lower is better)`,
          "µs CPU / msg",
          panelsOf(results.rounds, (r) => r.cpuMicrosPerMessage),
        ),
      ),
    );
  }
  if (results.latency.length > 0) {
    charts.set(
      `${name}_latency.svg`,
      latencyChart({
        title: `${name}: ${results.latency[0].scenario}`,
        caption: `${results.latency[0].samplesMs.length} samples each; ${caption}`,
        series: results.latency,
      }),
    );
  }
  if (results.memory.length > 0) {
    const bar = (client: string, value: number) => ({ client, value, min: value, max: value });
    charts.set(
      `${name}.svg`,
      barPanels({
        title: `${name}: memory per idle connection (lower is better)`,
        caption,
        unit: "KiB / connection",
        panels: [
          {
            title: "resident set (RSS)",
            bars: results.memory.map((m) => bar(m.client, m.rssKiBPerConnection)),
          },
          {
            title: "V8 heap (the CRT keeps its state in native memory)",
            bars: results.memory.map((m) => bar(m.client, m.heapKiBPerConnection)),
          },
        ],
      }),
    );
  }
  return charts;
}

if (import.meta.main) {
  await Deno.mkdir(PLOTS, { recursive: true });
  for await (const entry of Deno.readDir(RESULTS)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const results: BenchResults = JSON.parse(
      await Deno.readTextFile(new URL(entry.name, RESULTS)),
    );
    for (const [file, svg] of chartsOf(results)) {
      await Deno.writeTextFile(new URL(file, PLOTS), svg);
      console.log(`bench/plots/${file}`);
    }
  }
}
