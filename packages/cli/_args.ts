/**
 * A mosquitto-style argument parser: short and long names, a value always in the next
 * argument (so `-m -5` publishes "-5"), repeatable options, and `-D command property value`
 * (four words for `user-property`). Errors read like mosquitto's.
 *
 * @module
 */
import { usage } from "./_errors.ts";

/** One option of a command. */
export interface OptionSpec {
  /** Every spelling, e.g. `["-t", "--topic"]`. */
  names: string[];
  /** Where the value lands in {@linkcode ParsedArgs.values}. */
  key: string;
  /**
   * `flag`: no value; `value`: one (the last wins); `list`: one per use, all kept;
   * `property`: `-D command property value` (four words for `user-property`), all kept in
   * {@linkcode ParsedArgs.properties}.
   */
  kind: "flag" | "value" | "list" | "property";
  /** The value's name in help and errors ("topic"). */
  arg?: string;
  /** One line for `--help`. */
  help: string;
}

/** What {@linkcode parseArgs} found. */
export interface ParsedArgs {
  /** Flags as `true`, values as strings, lists as string arrays. */
  values: Record<string, string | boolean | string[] | undefined>;
  /** Each `-D` as `[command, property, value]` or `[command, "user-property", name, value]`. */
  properties: string[][];
  /** Arguments that are not options, in order (only when the command takes them). */
  positionals: string[];
}

/**
 * Parses `args` against `specs`; words that are not options are positionals when
 * `positionals` is set, errors otherwise.
 */
export function parseArgs(
  args: string[],
  specs: OptionSpec[],
  options: { positionals?: boolean } = {},
): ParsedArgs {
  const byName = new Map<string, OptionSpec>();
  const keys = new Set<string>();
  for (const spec of specs) {
    // Two options landing in one key would silently read each other's values.
    if (keys.has(spec.key)) {
      throw new Error(`Cannot parse arguments: two options use "${spec.key}"`);
    }
    keys.add(spec.key);
    for (const name of spec.names) byName.set(name, spec);
  }
  const parsed: ParsedArgs = { values: {}, properties: [], positionals: [] };
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    const spec = byName.get(word);
    if (spec === undefined) {
      if (options.positionals && (word === "-" || !word.startsWith("-"))) {
        parsed.positionals.push(word);
        continue;
      }
      throw usage(`Unknown option '${word}'.`);
    }
    if (spec.kind === "flag") {
      parsed.values[spec.key] = true;
      continue;
    }
    if (spec.kind === "property") {
      const [command, property] = [args[i + 1], args[i + 2]];
      if (command === undefined) {
        throw usage(`${word} argument given but no command specified.`);
      }
      if (property === undefined) {
        throw usage(`${word} argument given but no property specified.`);
      }
      const count = property === "user-property" ? 2 : 1;
      const rest = args.slice(i + 3, i + 3 + count);
      if (rest.length < count) {
        throw usage(`${word} argument given but no value for ${property} specified.`);
      }
      parsed.properties.push([command, property, ...rest]);
      i += 2 + count;
      continue;
    }
    const value = args[++i];
    if (value === undefined) {
      throw usage(`${word} argument given but no ${spec.arg ?? "value"} specified.`);
    }
    if (spec.kind === "list") {
      const list = (parsed.values[spec.key] as string[] | undefined) ?? [];
      list.push(value);
      parsed.values[spec.key] = list;
    } else {
      parsed.values[spec.key] = value;
    }
  }
  return parsed;
}

/** The `--help` text of a command: its usage line, then one line per option. */
export function helpText(usage: string, description: string, specs: OptionSpec[]): string {
  const rows = specs.map((spec) => {
    const names = spec.names.join(", ") + (spec.arg ? ` <${spec.arg}>` : "");
    return [names, spec.help];
  });
  const width = Math.max(...rows.map(([names]) => names.length));
  const lines = rows.map(([names, help]) => `  ${names.padEnd(width)}  ${help}`);
  return `Usage: ${usage}\n\n${description}\n\nOptions:\n${lines.join("\n")}\n`;
}

/** An integer option in `[min, max]`, or a UsageError with `message`. */
export function integer(value: string, min: number, max: number, message: string): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || number < min || number > max) {
    throw usage(message);
  }
  return number;
}
