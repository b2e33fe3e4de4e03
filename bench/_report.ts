/**
 * What every agent benchmark script reports besides its Markdown table: a progress line on
 * stderr while it runs, and with `--json` its results as JSON (every round of every client,
 * latency samples, memory) in `bench/results/<script>.json`, or the file `--out` names
 * (`--out -` for stdout). `deno task bench:plot` draws the charts from those files.
 *
 * @module
 */
import os from "node:os";

/** One timed run of one client in one scenario. */
export interface RoundResult {
  scenario: string;
  client: string;
  round: number;
  /** Messages per second. */
  rate: number;
  /** CPU time (user + system) of the client's process per message, µs. */
  cpuMicrosPerMessage: number;
  /** Set when the run did not finish: what it reached instead. */
  note?: string;
}

/** Latency samples of one client, in milliseconds, in the order taken. */
export interface LatencyResult {
  scenario: string;
  client: string;
  samplesMs: number[];
}

/** Memory per additional idle connection. */
export interface MemoryResult {
  client: string;
  heapKiBPerConnection: number;
  rssKiBPerConnection: number;
}

/** The whole JSON file. */
export interface BenchResults {
  script: string;
  startedAt: string;
  finishedAt?: string;
  machine: {
    cpus: number;
    cpuModel: string;
    loadAverageAtStart: number[];
    loadAverageAtEnd?: number[];
    deno: string;
    v8: string;
    os: string;
  };
  settings: Record<string, unknown>;
  rounds: RoundResult[];
  latency: LatencyResult[];
  memory: MemoryResult[];
}

/** Collects results and prints progress for one script run. */
export class Report {
  readonly results: BenchResults;
  #steps: number;
  #done = 0;
  #started = performance.now();
  #live = Deno.stderr.isTerminal();
  #ticker?: ReturnType<typeof setInterval>;

  /**
   * @param script the script's name (the JSON file is named after it)
   * @param steps how many timed runs the script will make, for "k/n" in the progress line
   */
  constructor(script: string, settings: Record<string, unknown>, steps: number) {
    this.#steps = steps;
    const cpus = os.cpus();
    this.results = {
      script,
      startedAt: new Date().toISOString(),
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? "unknown",
        loadAverageAtStart: os.loadavg().map((n) => Number(n.toFixed(2))),
        deno: Deno.version.deno,
        v8: Deno.version.v8,
        os: `${Deno.build.os} ${Deno.build.arch}`,
      },
      settings,
      rounds: [],
      latency: [],
      memory: [],
    };
  }

  /**
   * Shows that `label` is running, with its elapsed seconds kept current on a terminal
   * (a stalled run is seen as one), until the next `round()` or `finish()`.
   */
  running(label: string): void {
    this.#stopTicker();
    const started = performance.now();
    const show = () =>
      this.progress(`${label}: running, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    if (!this.#live) return;
    show();
    this.#ticker = setInterval(show, 1000);
  }

  #stopTicker(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /** Records a timed run and shows it on the progress line. */
  round(result: RoundResult): RoundResult {
    this.#stopTicker();
    this.results.rounds.push(result);
    this.#done++;
    this.progress(
      `${result.scenario} · ${result.client} · round ${result.round + 1}: ` +
        `${Math.round(result.rate).toLocaleString("en-US")} msg/s, ` +
        `${result.cpuMicrosPerMessage.toFixed(2)} µs CPU/msg${
          result.note ? ` (${result.note})` : ""
        }`,
    );
    return result;
  }

  latency(result: LatencyResult): void {
    this.results.latency.push(result);
    this.progress(`${result.scenario} · ${result.client}: ${result.samplesMs.length} samples`);
  }

  memory(result: MemoryResult): void {
    this.results.memory.push(result);
    this.progress(`idle memory · ${result.client}: ${result.rssKiBPerConnection.toFixed(1)} KiB`);
  }

  /** Shows `text` on the progress line (rewritten in place on a terminal). */
  progress(text: string): void {
    const seconds = ((performance.now() - this.#started) / 1000).toFixed(0);
    const runs = this.#steps > 0 ? `${this.#done}/${this.#steps} runs, ` : "";
    const line = `[${runs}${seconds} s] ${text}`;
    const bytes = new TextEncoder().encode(this.#live ? `\r\x1b[K${line}` : `${line}\n`);
    Deno.stderr.writeSync(bytes);
  }

  /** Ends the progress line; with `--json`, writes the results where asked. */
  async finish(options: { json: boolean; out?: string }): Promise<void> {
    this.#stopTicker();
    if (this.#live) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
    this.results.finishedAt = new Date().toISOString();
    this.results.machine.loadAverageAtEnd = os.loadavg().map((n) => Number(n.toFixed(2)));
    if (!options.json) return;
    const text = JSON.stringify(this.results, null, 1) + "\n";
    if (options.out === "-") {
      await Deno.stdout.write(new TextEncoder().encode(text));
      return;
    }
    const path = options.out ??
      new URL(`results/${this.results.script}.json`, import.meta.url).pathname;
    await Deno.mkdir(new URL("results/", import.meta.url), { recursive: true });
    await Deno.writeTextFile(path, text);
    console.error(`results written to ${path}`);
  }
}

/** The run with the highest rate. */
export function best<T extends { rate: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.rate > a.rate ? b : a));
}

/** The `p` quantile (0–1) of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** The options every script takes for its JSON output. */
export const jsonOptions = {
  json: { type: "boolean", default: false },
  out: { type: "string" },
} as const;
