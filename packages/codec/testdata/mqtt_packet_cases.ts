// The invalid-input cases of mqtt-packet's own test suite (its test.js, shipped in the npm
// package), read from the installed package so they track the pinned version.
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";

/** One `testParseError(expected, fixture, opts)` call of mqtt-packet's test.js. */
export interface MqttPacketErrorCase {
  expected: string;
  fixture: Uint8Array;
  protocolVersion: number;
  line: number;
}

// Finds the end of a call's arguments, skipping strings and // comments (which contain
// parentheses in mqtt-packet's fixtures).
function closingParen(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === "/" && source[i + 1] === "/") {
      i = source.indexOf("\n", i);
    } else if (c === "'" || c === '"' || c === "`") {
      i = source.indexOf(c, i + 1);
    } else if (c === "(") {
      depth++;
    } else if (c === ")" && --depth === 0) {
      return i;
    }
  }
  throw new Error(`Cannot parse mqtt-packet's test.js: unbalanced call at ${open}`);
}

/** Every parse-error case of mqtt-packet's test suite. */
export function mqttPacketErrorCases(): MqttPacketErrorCase[] {
  const path = createRequire(import.meta.url).resolve("mqtt-packet/test.js");
  const source = Deno.readTextFileSync(path);
  const cases: MqttPacketErrorCase[] = [];
  const pattern = /^testParseError\(/gm;
  for (let match; (match = pattern.exec(source));) {
    const open = match.index + match[0].length - 1;
    const args = source.slice(open + 1, closingParen(source, open));
    // The arguments are literals and Buffer.from(...): evaluate them as such.
    const [expected, fixture, opts] = new Function("Buffer", `return [${args}]`)(Buffer);
    cases.push({
      expected,
      fixture: new Uint8Array(fixture),
      protocolVersion: opts?.protocolVersion ?? 4,
      line: source.slice(0, match.index).split("\n").length,
    });
  }
  return cases;
}
