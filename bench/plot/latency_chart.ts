/**
 * A latency distribution as a percentile plot: for each client, the latency (logarithmic
 * axis) at each percentile, the percentiles spread so that every "nine" gets the same width
 * (50 %, 90 %, 99 %, 99.9 %), which shows the median and the tail in one picture; p50 and p99
 * in the legend.
 *
 * @module
 */
import { colourOf, document, escape } from "./_svg.ts";

/** One client's samples, in milliseconds. */
export interface LatencySeries {
  client: string;
  samplesMs: number[];
}

/** What to draw. */
export interface LatencyChart {
  title: string;
  caption: string;
  series: LatencySeries[];
}

const WIDTH = 920;
const HEIGHT = 420;
const LEFT = 64;
const RIGHT = 220;
const TOP = 64;
const BOTTOM = 48;

/** The `p` quantile (0–1) of ascending `sorted`. */
function quantile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Position of percentile share `p` (0 ≤ p < 1): the number of nines, 90 % → 1, 99 % → 2. */
const nines = (p: number) => -Math.log10(1 - p);

/** Renders the chart as an SVG document. */
export function latencyChart(chart: LatencyChart): string {
  const sorted = chart.series.map((s) => ({
    client: s.client,
    samples: s.samplesMs.toSorted((a, b) => a - b),
  }));
  const all = sorted.flatMap((s) => s.samples).filter((v) => v > 0);
  const low = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const largest = Math.max(...sorted.map((s) => s.samples.length));
  const maxNines = Math.log10(largest);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (p: number) => LEFT + nines(p) / maxNines * plotWidth;
  const y = (ms: number) =>
    TOP + plotHeight -
    (Math.log10(Math.max(ms, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low)) *
      plotHeight;
  const parts: string[] = [];
  for (let decade = low; decade <= high * 1.0001; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = decade * m;
      if (v > high * 1.0001) break;
      const py = y(v).toFixed(1);
      parts.push(
        `<line x1="${LEFT}" y1="${py}" x2="${LEFT + plotWidth}" y2="${py}" stroke="${
          m === 1 ? "#d1d5db" : "#f3f4f6"
        }"/>`,
        `<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="10" ` +
          `fill="#6b7280">${Number(v.toPrecision(3))}</text>`,
      );
    }
  }
  for (const p of [0, 0.5, 0.9, 0.99, 0.999, 0.9999]) {
    if (nines(p) > maxNines + 1e-9) break;
    const px = x(p).toFixed(1);
    parts.push(
      `<line x1="${px}" y1="${TOP}" x2="${px}" y2="${TOP + plotHeight}" stroke="#e5e7eb"/>`,
      `<text x="${px}" y="${TOP + plotHeight + 16}" text-anchor="middle" font-size="10" ` +
        `fill="#6b7280">${Math.round(p * 10000) / 100}%</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle" fill="#374151">` +
      "percentile</text>",
    `<text x="16" y="${TOP + plotHeight / 2}" transform="rotate(-90 16 ${
      TOP + plotHeight / 2
    })" text-anchor="middle" fill="#374151">round trip, ms (log scale)</text>`,
  );
  sorted.forEach((series, i) => {
    const colour = colourOf(series.client, i);
    const n = series.samples.length;
    const points = series.samples.map((ms, k) => `${x(k / n).toFixed(1)},${y(ms).toFixed(1)}`);
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(" ")}"/>`,
    );
    const ly = TOP + 10 + i * 40;
    const lx = LEFT + plotWidth + 20;
    parts.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${lx + 18}" y="${ly}" fill="#111827">${escape(series.client)}</text>`,
      `<text x="${lx + 18}" y="${ly + 15}" font-size="11" fill="#4b5563">p50 ${
        quantile(series.samples, 0.5).toFixed(3)
      } · p99 ${quantile(series.samples, 0.99).toFixed(3)} ms</text>`,
    );
  });
  return document(WIDTH, HEIGHT, chart.title, chart.caption, parts.join("\n"));
}
