/**
 * Small multiples of horizontal bars: one panel per scenario, one bar per client, each panel
 * on its own linear scale from zero (rates differ by orders of magnitude between
 * scenarios, and within a panel the lengths compare directly). A bar is the value the
 * tables report (the best round); a thin line across its end spans the rounds' range.
 *
 * @module
 */
import { colourOf, document, escape, legend, short, ticks } from "./_svg.ts";

/** One bar: a client's value in a scenario, and the range over its rounds. */
export interface Bar {
  client: string;
  value: number;
  min: number;
  max: number;
  /** A word after the value, e.g. "stalled" for a run that did not finish. */
  flag?: string;
}

/** One panel. */
export interface Panel {
  title: string;
  bars: Bar[];
}

/** What to draw. */
export interface BarPanelsChart {
  title: string;
  caption: string;
  /** The unit under each panel's axis, e.g. "msg/s". */
  unit: string;
  panels: Panel[];
  /** Panels per row (default 2). */
  columns?: number;
}

const PANEL_WIDTH = 420;
const BAR_HEIGHT = 18;
const BAR_GAP = 6;
const LABEL_WIDTH = 112;

/** Renders the chart as an SVG document. */
export function barPanels(chart: BarPanelsChart): string {
  const columns = chart.columns ?? 2;
  const clients = [...new Set(chart.panels.flatMap((p) => p.bars.map((b) => b.client)))];
  const barsPerPanel = Math.max(1, ...chart.panels.map((p) => p.bars.length));
  const panelHeight = 34 + barsPerPanel * (BAR_HEIGHT + BAR_GAP) + 30;
  const rows = Math.ceil(chart.panels.length / columns);
  const top = 78;
  const width = 16 + columns * (PANEL_WIDTH + 24);
  const height = top + rows * panelHeight + 8;
  const body = [legend(clients, 16, 66)];
  chart.panels.forEach((panel, index) => {
    const x0 = 16 + (index % columns) * (PANEL_WIDTH + 24);
    const y0 = top + Math.floor(index / columns) * panelHeight;
    body.push(renderPanel(panel, x0, y0, chart.unit, clients));
  });
  return document(width, height, chart.title, chart.caption, body.join("\n"));
}

function renderPanel(panel: Panel, x0: number, y0: number, unit: string, clients: string[]) {
  const plotX = x0 + LABEL_WIDTH;
  const plotWidth = PANEL_WIDTH - LABEL_WIDTH - 56;
  const axis = ticks(Math.max(...panel.bars.map((b) => Math.max(b.value, b.max))));
  const top = axis.at(-1)!;
  const scale = (v: number) => plotX + (v / top) * plotWidth;
  const barsTop = y0 + 26;
  const barsBottom = barsTop + panel.bars.length * (BAR_HEIGHT + BAR_GAP);
  const parts = [
    `<text x="${x0}" y="${y0 + 14}" font-weight="bold" fill="#111827">${
      escape(panel.title)
    }</text>`,
  ];
  for (const tick of axis) {
    const x = scale(tick).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${barsTop - 4}" x2="${x}" y2="${barsBottom}" stroke="#e5e7eb"/>`,
      `<text x="${x}" y="${barsBottom + 14}" text-anchor="middle" font-size="10" fill="#6b7280">${
        short(tick)
      }</text>`,
    );
  }
  parts.push(
    `<text x="${plotX + plotWidth}" y="${barsBottom + 27}" text-anchor="end" font-size="10" ` +
      `fill="#6b7280">${escape(unit)}</text>`,
  );
  panel.bars.forEach((bar, i) => {
    const y = barsTop + i * (BAR_HEIGHT + BAR_GAP);
    const colour = colourOf(bar.client, clients.indexOf(bar.client));
    const end = scale(bar.value);
    const mid = y + BAR_HEIGHT / 2;
    parts.push(
      `<text x="${plotX - 6}" y="${mid + 4}" text-anchor="end" fill="#374151">${
        escape(bar.client)
      }</text>`,
      `<rect x="${plotX}" y="${y}" width="${(end - plotX).toFixed(1)}" height="${BAR_HEIGHT}" ` +
        `fill="${colour}"><title>${escape(`${bar.client}: ${bar.value}`)}</title></rect>`,
    );
    if (bar.max > bar.min) {
      parts.push(
        `<line x1="${scale(bar.min).toFixed(1)}" y1="${mid}" x2="${scale(bar.max).toFixed(1)}" ` +
          `y2="${mid}" stroke="#111827" stroke-width="1.5"/>`,
      );
    }
    parts.push(
      `<text x="${(Math.max(end, scale(bar.max)) + 4).toFixed(1)}" y="${mid + 4}" ` +
        `fill="#111827">${short(bar.value)}${bar.flag ? ` (${escape(bar.flag)})` : ""}</text>`,
    );
  });
  return parts.join("\n");
}
