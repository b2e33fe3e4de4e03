/**
 * How `tern sub` prints a message: the payload alone, `topic payload` with `-v`, or a
 * mosquitto_sub `-F` format (`%t %p %q %r %l %m %x %X %I %U %j %J %P %C %R %E %F %A %S
 * %D %%`, flags `-` and `0`, width and precision, `@` strftime sequences with `@N`
 * nanoseconds, and `\n \t \e \0 ...` escapes). Output is bytes: payloads need not be text.
 *
 * @module
 */
import type { InboundMessage } from "@tern/agent";

/** Turns one message, received at `now` (ms since the epoch), into the bytes to print. */
export type Formatter = (message: InboundMessage, now: number) => Uint8Array;

/** How to print. */
export interface FormatOptions {
  /** A mosquitto_sub `-F` format string; wins over `verbose`. */
  format?: string;
  /** `-v`: print `topic payload`. */
  verbose?: boolean;
  /** Append a newline after every message (false with `-N`). Default true. */
  eol?: boolean;
}

const encoder = new TextEncoder();
const NEWLINE = encoder.encode("\n");

/** The formatter that `options` describe. */
export function formatterOf(options: FormatOptions): Formatter {
  const eol = options.eol ?? true;
  if (options.format !== undefined) {
    const parts = compile(options.format);
    return (message, now) => {
      const chunks = parts.map((part) => typeof part === "function" ? part(message, now) : part);
      if (eol) chunks.push(NEWLINE);
      return concat(chunks);
    };
  }
  // mosquitto prints nothing for an empty payload, and "topic (null)" when verbose.
  return (message) => {
    const chunks: Uint8Array[] = [];
    if (options.verbose) {
      if (message.payload.length === 0) {
        return eol ? encoder.encode(`${message.topic} (null)\n`) : new Uint8Array();
      }
      chunks.push(encoder.encode(message.topic + " "));
    }
    if (message.payload.length === 0) return new Uint8Array();
    chunks.push(message.payload);
    if (eol) chunks.push(NEWLINE);
    return concat(chunks);
  };
}

type Part = Uint8Array | ((message: InboundMessage, now: number) => Uint8Array);

interface Spec {
  align: "" | "-";
  pad: " " | "0";
  width: number;
  precision: number;
}

const ESCAPES: Record<string, string> = {
  "\\": "\\",
  "0": "\0",
  a: "\x07",
  e: "\x1b",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

function compile(format: string): Part[] {
  const parts: Part[] = [];
  let literal = "";
  const flush = () => {
    if (literal !== "") parts.push(encoder.encode(literal));
    literal = "";
  };
  for (let i = 0; i < format.length; i++) {
    const char = format[i];
    if (char === "%" && i < format.length - 1) {
      const spec: Spec = { align: "", pad: " ", width: 0, precision: -1 };
      i++;
      if (format[i] === "-") {
        spec.align = "-";
        i++;
      }
      if (format[i] === "0") {
        spec.pad = "0";
        i++;
      }
      while (/\d/.test(format[i] ?? "")) spec.width = spec.width * 10 + Number(format[i++]);
      if (format[i] === ".") {
        i++;
        spec.precision = 0;
        while (/\d/.test(format[i] ?? "")) {
          spec.precision = spec.precision * 10 + Number(format[i++]);
        }
      }
      const conversion = format[i];
      if (conversion === undefined) break;
      if (conversion === "%") {
        literal += "%";
        continue;
      }
      flush();
      parts.push(percent(conversion, spec));
    } else if (char === "@" && i < format.length - 1) {
      const letter = format[++i];
      if (letter === "@") {
        literal += "@";
        continue;
      }
      flush();
      parts.push((_message, now) => encoder.encode(strftime(letter, now)));
    } else if (char === "\\" && i < format.length - 1) {
      literal += ESCAPES[format[++i]] ?? "";
    } else {
      literal += char;
    }
  }
  flush();
  return parts;
}

function percent(conversion: string, spec: Spec): Part {
  const text = (value: string | undefined) =>
    encoder.encode(value === undefined ? " ".repeat(spec.width) : padString(value, spec));
  const int = (value: number | undefined) =>
    encoder.encode(value === undefined ? spec.pad.repeat(spec.width) : padNumber(value, spec));
  switch (conversion) {
    case "t":
      return (m) => text(m.topic);
    case "p":
      return (m) => payload(m.payload, spec, "raw");
    case "x":
      return (m) => payload(m.payload, spec, "hex");
    case "X":
      return (m) => payload(m.payload, spec, "HEX");
    case "q":
      return (m) => encoder.encode(String(m.qos));
    case "r":
      return (m) => encoder.encode(m.retain ? "1" : "0");
    case "l":
      return (m) => int(m.payload.length);
    // The packet identifier of a delivery is not part of @tern/agent's message; mosquitto
    // prints 0 for QoS 0, which is also what is printed here for every QoS.
    case "m":
      return () => int(0);
    case "A":
      return (m) => int(m.properties?.topicAlias);
    case "C":
      return (m) => text(m.properties?.contentType);
    case "D":
      return (m) => m.properties?.correlationData ?? new Uint8Array();
    case "E":
      return (m) => int(m.properties?.messageExpiryInterval);
    case "F":
      return (m) => int(m.properties?.payloadFormatIndicator);
    case "P":
      return (m) =>
        encoder.encode((m.properties?.userProperties ?? []).map(([k, v]) => `${k}:${v}`).join(" "));
    case "R":
      return (m) =>
        encoder.encode(
          m.properties?.responseTopic === undefined
            ? ""
            : padString(m.properties.responseTopic, spec),
        );
    case "S":
      return (m) => int(m.properties?.subscriptionIdentifiers?.[0]);
    case "I":
      return (_m, now) => text(`${strftime("F", now)}T${strftime("T", now)}${strftime("z", now)}`);
    case "U":
      return (_m, now) => encoder.encode(`${Math.floor(now / 1000)}.${nanoseconds(now)}`);
    case "j":
      return (m, now) => encoder.encode(json(m, now, true) ?? "");
    case "J":
      return (m, now) => encoder.encode(json(m, now, false) ?? "");
    default:
      return () => new Uint8Array();
  }
}

function padString(value: string, { align, width, precision }: Spec): string {
  const cut = precision >= 0 ? value.slice(0, precision) : value;
  return align === "-" ? cut.padEnd(width) : cut.padStart(width);
}

function padNumber(value: number, { align, pad, width }: Spec): string {
  const digits = String(value);
  if (align === "-") return digits.padEnd(width);
  return digits.padStart(width, pad);
}

// mosquitto cuts the payload to the field width (half as many bytes in hex) and pads it.
function payload(bytes: Uint8Array, spec: Spec, mode: "raw" | "hex" | "HEX"): Uint8Array {
  let shown = spec.width > 0 && bytes.length > spec.width ? bytes.subarray(0, spec.width) : bytes;
  if (mode !== "raw" && spec.width > 0) shown = shown.subarray(0, Math.floor(shown.length / 2));
  const rendered = mode === "raw"
    ? shown
    : encoder.encode(mode === "hex" ? hex(shown) : hex(shown).toUpperCase());
  const fill = spec.align === "-" ? " " : spec.pad;
  const padding = encoder.encode(fill.repeat(Math.max(0, spec.width - rendered.length)));
  return spec.align === "-" ? concat([rendered, padding]) : concat([padding, rendered]);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function nanoseconds(now: number): string {
  return String(Math.round((now % 1000) * 1_000_000)).padStart(9, "0");
}

function json(message: InboundMessage, now: number, escaped: boolean): string | undefined {
  const text = new TextDecoder().decode(message.payload);
  // mosquitto's timestamp: local time with microseconds, "Z", then the UTC offset.
  const micros = String(Math.round((now % 1000) * 1000)).padStart(6, "0");
  const tst = `${strftime("F", now)}T${strftime("T", now)}.${micros}Z${strftime("z", now)}`;
  const head = `{"tst":"${tst}","topic":${JSON.stringify(message.topic)},"qos":${message.qos},` +
    `"retain":${message.retain ? 1 : 0},"payloadlen":${message.payload.length},`;
  if (escaped) {
    // Text (UTF-8 without control characters) as a string, anything else as its bytes.
    const printable = isUtf8(message.payload) && message.payload.every((byte) => byte >= 0x20);
    const value = printable ? JSON.stringify(text) : JSON.stringify(Array.from(message.payload));
    return `${head}"payload":${value}}`;
  }
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  return `${head}"payload":${text}}`;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** One strftime(3) conversion in local time, plus mosquitto's `N` (nanoseconds). */
function strftime(letter: string, now: number): string {
  const date = new Date(now);
  const two = (n: number) => String(n).padStart(2, "0");
  switch (letter) {
    case "Y":
      return String(date.getFullYear());
    case "y":
      return two(date.getFullYear() % 100);
    case "m":
      return two(date.getMonth() + 1);
    case "d":
      return two(date.getDate());
    case "e":
      return String(date.getDate()).padStart(2, " ");
    case "H":
      return two(date.getHours());
    case "I":
      return two(date.getHours() % 12 || 12);
    case "M":
      return two(date.getMinutes());
    case "S":
      return two(date.getSeconds());
    case "p":
      return date.getHours() < 12 ? "AM" : "PM";
    case "j": {
      const start = new Date(date.getFullYear(), 0, 1);
      return String(Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1).padStart(
        3,
        "0",
      );
    }
    case "a":
      return DAYS[date.getDay()].slice(0, 3);
    case "A":
      return DAYS[date.getDay()];
    case "b":
    case "h":
      return MONTHS[date.getMonth()].slice(0, 3);
    case "B":
      return MONTHS[date.getMonth()];
    case "s":
      return String(Math.floor(now / 1000));
    case "z": {
      const offset = -date.getTimezoneOffset();
      const sign = offset < 0 ? "-" : "+";
      return `${sign}${two(Math.floor(Math.abs(offset) / 60))}${two(Math.abs(offset) % 60)}`;
    }
    case "F":
      return `${strftime("Y", now)}-${strftime("m", now)}-${strftime("d", now)}`;
    case "T":
      return `${strftime("H", now)}:${strftime("M", now)}:${strftime("S", now)}`;
    case "R":
      return `${strftime("H", now)}:${strftime("M", now)}`;
    case "D":
      return `${strftime("m", now)}/${strftime("d", now)}/${strftime("y", now)}`;
    case "n":
      return "\n";
    case "t":
      return "\t";
    case "%":
      return "%";
    case "N":
      return nanoseconds(now);
    default:
      return "";
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
