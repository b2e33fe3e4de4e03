/**
 * What `tern bench` prints: a line per second on stderr and the summary at the end, as
 * text or (with `--json`) one JSON object.
 *
 * @module
 */

/** The figures of one second of the run. */
export interface Tick {
  /** Seconds since the publishers started. */
  elapsedS: number;
  /** Publishes completed (acknowledged, or written for QoS 0) in that second. */
  sentPerS: number;
  /** Messages received in that second. */
  receivedPerS: number;
  /** Latency percentiles of the messages received in that second, in ms. */
  p50Ms: number;
  p99Ms: number;
  /** Messages found missing so far (gaps in the sequence numbers). */
  lost: number;
}

/** What the run measured. */
export interface Summary {
  qos: number;
  size: number;
  connections: number;
  window: number;
  /** From the first publish to the last one completed. */
  durationS: number;
  sent: number;
  received: number;
  lost: number;
  duplicates: number;
  sentPerS: number;
  receivedPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

/** The live line of one second. */
export function tickLine(tick: Tick): string {
  return `[${String(tick.elapsedS).padStart(3)}s] sent ${number.format(tick.sentPerS)} msg/s, ` +
    `received ${number.format(tick.receivedPerS)} msg/s, p50 ${ms(tick.p50Ms)}, ` +
    `p99 ${ms(tick.p99Ms)}, lost ${number.format(tick.lost)}`;
}

/** The summary as text, one figure a line. */
export function summaryText(summary: Summary): string {
  const pairs = summary.connections === 1
    ? "1 publisher/subscriber pair"
    : `${summary.connections} publisher/subscriber pairs`;
  const { latencyMs: l } = summary;
  return [
    `${number.format(summary.sent)} messages of ${summary.size} bytes at QoS ${summary.qos}, ` +
    `${pairs}, window ${summary.window}, in ${summary.durationS.toFixed(2)} s`,
    `sent        ${number.format(summary.sent)} (${number.format(summary.sentPerS)} msg/s)`,
    `received    ${number.format(summary.received)} (${number.format(summary.receivedPerS)} msg/s)`,
    `lost        ${number.format(summary.lost)}`,
    `duplicates  ${number.format(summary.duplicates)}`,
    `latency     p50 ${ms(l.p50)}, p90 ${ms(l.p90)}, p99 ${ms(l.p99)}, max ${ms(l.max)}, mean ${
      ms(l.mean)
    }`,
  ].join("\n") + "\n";
}

/** The summary as one JSON line. */
export function summaryJson(summary: Summary): string {
  return JSON.stringify(summary) + "\n";
}
