import assert from "node:assert/strict";
import { validateTopicName } from "./topic_name.ts";

Deno.test("validateTopicName() accepts empty levels, spaces, $ topics and 65,535 bytes", () => {
  for (
    const topic of ["a", "/", "//", "/finance", "a/", "Accounts payable", "$SYS/x", "ü/😀"]
  ) validateTopicName(topic);
  validateTopicName("a".repeat(65_535));
});

Deno.test("validateTopicName() rejects wildcards, U+0000, lone surrogates, emptiness and length", () => {
  const cases: [string, string][] = [
    ["", 'Invalid topic name "": must not be empty'],
    ["sport/+", 'Invalid topic name "sport/+": contains the wildcard "+"'],
    ["sport/#", 'Invalid topic name "sport/#": contains the wildcard "#"'],
    ["a+b", 'Invalid topic name "a+b": contains the wildcard "+"'],
    ["#", 'Invalid topic name "#": contains the wildcard "#"'],
    ["a\u0000", 'Invalid topic name "a\\u0000": contains the null character U+0000 at index 1'],
    ["\ud83d", 'Invalid topic name "\\ud83d": contains a lone surrogate at index 0'],
  ];
  for (const [topic, message] of cases) {
    assert.throws(() => validateTopicName(topic), { name: "TypeError", message }, topic);
  }
  assert.throws(() => validateTopicName("€".repeat(21_846)), /longer than 65,535 bytes/);
});
