/**
 * What the chart kinds share: escaping, number formatting, axis ticks, the clients' colours
 * and the document around a chart.
 *
 * @module
 */

/** Escapes text for SVG content and attribute values. */
export function escape(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

/** A short human form: 1,234,567 → "1.23 M", 0.4567 → "0.457". */
export function short(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return "0";
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)} k`;
  if (abs >= 100) return value.toFixed(0);
  return String(Number(value.toPrecision(3)));
}

/** About `count` round tick values from 0 to at least `max`. */
export function ticks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const values = [];
  for (let v = 0; v < max + step * 0.999; v += step) values.push(Number(v.toPrecision(12)));
  return values;
}

const COLOURS: Record<string, string> = {
  "Tern": "#0f766e",
  "MQTT.js": "#7c3aed",
  "AWS CRT": "#ea580c",
  "libmosquitto (C)": "#64748b",
};
const SPARE = ["#2563eb", "#db2777", "#65a30d", "#0891b2"];

/** The colour of a client, the same in every chart. */
export function colourOf(client: string, index: number): string {
  return COLOURS[client] ?? SPARE[index % SPARE.length];
}

/** Wraps chart content in an SVG document with a title and a caption line. */
export function document(
  width: number,
  height: number,
  title: string,
  caption: string,
  body: string,
): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escape(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold" fill="#111827">${escape(title)}</text>`,
    `<text x="16" y="44" fill="#4b5563">${escape(caption)}</text>`,
    body,
    "</svg>",
    "",
  ].join("\n");
}

/** A row of coloured squares and client names. */
export function legend(clients: string[], x: number, y: number): string {
  let at = x;
  return clients.map((client, i) => {
    const item = `<rect x="${at}" y="${y - 10}" width="12" height="12" fill="${
      colourOf(client, i)
    }"/><text x="${at + 17}" y="${y}" fill="#111827">${escape(client)}</text>`;
    at += 30 + client.length * 7;
    return item;
  }).join("\n");
}
