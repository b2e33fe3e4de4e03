import assert from "node:assert/strict";
import { type OptionSpec, parseArgs } from "./_args.ts";
import { UsageError } from "./_errors.ts";
import { parseProperties } from "./_properties.ts";

const SPECS: OptionSpec[] = [
  { names: ["-D", "--property"], key: "property", kind: "property", help: "" },
  { names: ["-t", "--topic"], key: "topic", kind: "list", arg: "topic", help: "" },
  { names: ["-m"], key: "message", kind: "value", arg: "message", help: "" },
  { names: ["-r"], key: "retain", kind: "flag", help: "" },
];

Deno.test("parseArgs() takes the next word as the value, even one starting with -", () => {
  const parsed = parseArgs(["-m", "-5", "-t", "a", "--topic", "b", "-r"], SPECS);
  assert.deepStrictEqual(parsed.values, { message: "-5", topic: ["a", "b"], retain: true });
});

Deno.test("parseArgs() reads -D as three words, four for user-property", () => {
  const parsed = parseArgs(
    ["-D", "publish", "content-type", "text/plain", "-D", "connect", "user-property", "k", "v"],
    SPECS,
  );
  assert.deepStrictEqual(parsed.properties, [
    ["publish", "content-type", "text/plain"],
    ["connect", "user-property", "k", "v"],
  ]);
});

Deno.test("parseArgs() refuses unknown options and missing values in mosquitto's words", () => {
  assert.throws(() => parseArgs(["--bogus"], SPECS), new UsageError("Unknown option '--bogus'."));
  assert.throws(
    () => parseArgs(["-t"], SPECS),
    new UsageError("-t argument given but no topic specified."),
  );
  assert.throws(
    () => parseArgs(["-D", "publish", "user-property", "k"], SPECS),
    new UsageError("-D argument given but no value for user-property specified."),
  );
});

Deno.test("parseProperties() sorts properties into their packets with their types", () => {
  const properties = parseProperties([
    ["PUBLISH", "message-expiry-interval", "60"],
    ["publish", "correlation-data", "id"],
    ["publish", "user-property", "a", "1"],
    ["publish", "user-property", "a", "2"],
    ["connect", "request-problem-information", "0"],
    ["will", "will-delay-interval", "5"],
  ], ["connect", "publish", "will"]);
  assert.deepStrictEqual(properties.publish, {
    messageExpiryInterval: 60,
    correlationData: new TextEncoder().encode("id"),
    userProperties: [["a", "1"], ["a", "2"]],
  });
  assert.deepStrictEqual(properties.connect, { requestProblemInformation: false });
  assert.deepStrictEqual(properties.will, { willDelayInterval: 5 });
});

Deno.test("parseProperties() refuses unknown names, wrong packets and values out of range", () => {
  const refuses = (triple: string[], message: string) =>
    assert.throws(() => parseProperties([triple], ["connect", "publish"]), new UsageError(message));
  refuses(["nope", "content-type", "x"], "Invalid command given in --property argument.");
  refuses(["publish", "colour", "x"], "Invalid property name given in --property argument.");
  refuses(
    ["connect", "content-type", "x"],
    "content-type property not allowed for connect in --property argument.",
  );
  refuses(
    ["publish", "payload-format-indicator", "256"],
    "Property value (256) out of range for property payload-format-indicator.",
  );
  refuses(
    ["subscribe", "user-property", "k"],
    "tern cannot send properties in subscribe from this command.",
  );
});

Deno.test("parseArgs() refuses two options that share a key", () => {
  assert.throws(
    () => parseArgs([], [...SPECS, { names: ["--again"], key: "topic", kind: "flag", help: "" }]),
    /two options use "topic"/,
  );
});
