import assert from "node:assert/strict";
import { validateTopicFilter } from "./topic_filter.ts";

const VALID = [
  "#",
  "+",
  "/",
  "sport/tennis/player1",
  "sport/tennis/player1/#",
  "sport/#",
  "sport/tennis/#",
  "+/tennis/#",
  "sport/+/player1",
  "+/+",
  "/+",
  "/#",
  "+/#",
  "a//b",
  "$SYS/#",
  "$SYS/monitor/+",
  "Accounts payable",
  "ü/😀/+",
  "$share/group/sport/#",
  "$share/g/+",
  "$share/g/$SYS/#",
  "$share",
  "$sharegroup/x",
  "a".repeat(65_535),
];

const INVALID: [filter: string, message: string][] = [
  ["", 'Invalid topic filter "": must not be empty'],
  ["sport/tennis#", 'Invalid topic filter "sport/tennis#": "#" must occupy an entire level'],
  [
    "sport/tennis/#/ranking",
    'Invalid topic filter "sport/tennis/#/ranking": "#" must be the last level',
  ],
  ["a/#/b", 'Invalid topic filter "a/#/b": "#" must be the last level'],
  ["#/", 'Invalid topic filter "#/": "#" must be the last level'],
  ["##", 'Invalid topic filter "##": "#" must occupy an entire level'],
  ["a/#b", 'Invalid topic filter "a/#b": "#" must occupy an entire level'],
  ["sport+", 'Invalid topic filter "sport+": "+" must occupy an entire level'],
  ["+sport", 'Invalid topic filter "+sport": "+" must occupy an entire level'],
  ["a/b+/c", 'Invalid topic filter "a/b+/c": "+" must occupy an entire level'],
  ["a/++", 'Invalid topic filter "a/++": "+" must occupy an entire level'],
  ["+/+x", 'Invalid topic filter "+/+x": "+" must occupy an entire level'],
  ["a\u0000b", 'Invalid topic filter "a\\u0000b": contains the null character U+0000 at index 1'],
  ["a\ud800", 'Invalid topic filter "a\\ud800": contains a lone surrogate at index 1'],
  ["\udc00/x", 'Invalid topic filter "\\udc00/x": contains a lone surrogate at index 0'],
  ["$share/", 'Invalid shared subscription "$share/": the share name must not be empty'],
  ["$share//a", 'Invalid shared subscription "$share//a": the share name must not be empty'],
  ["$share/g", 'Invalid shared subscription "$share/g": a topic filter must follow the share name'],
  [
    "$share/g/",
    'Invalid shared subscription "$share/g/": a topic filter must follow the share name',
  ],
  ["$share/a+/x", 'Invalid shared subscription "$share/a+/x": the share name must not contain "+"'],
  ["$share/#/x", 'Invalid shared subscription "$share/#/x": the share name must not contain "#"'],
  ["$share/g/a#", 'Invalid topic filter "$share/g/a#": "#" must occupy an entire level'],
  ["$share/g/#/a", 'Invalid topic filter "$share/g/#/a": "#" must be the last level'],
];

Deno.test("validateTopicFilter() accepts the spec's valid filters and edge cases", () => {
  for (const filter of VALID) validateTopicFilter(filter);
});

Deno.test("validateTopicFilter() rejects each invalid filter with a message naming the rule", () => {
  for (const [filter, message] of INVALID) {
    assert.throws(() => validateTopicFilter(filter), { name: "TypeError", message }, filter);
  }
});

Deno.test("validateTopicFilter() counts UTF-8 bytes, not characters, against the 65,535 limit", () => {
  validateTopicFilter("é".repeat(32_767)); // 65,534 bytes
  assert.throws(() => validateTopicFilter("é".repeat(32_768)), {
    name: "TypeError",
    message: /longer than 65,535 bytes in UTF-8 \(65536\)$/,
  });
  validateTopicFilter("😀".repeat(16_383)); // 65,532 bytes
  assert.throws(() => validateTopicFilter("😀".repeat(16_384)), /65,535 bytes/);
  assert.throws(() => validateTopicFilter("a".repeat(65_536)), /65,535 bytes/);
});

Deno.test("validateTopicFilter() shortens a long filter in its error message", () => {
  assert.throws(() => validateTopicFilter("x".repeat(200) + "#"), (error: Error) => {
    assert.ok(error.message.length < 150, error.message);
    assert.match(error.message, /…": "#" must occupy an entire level$/);
    return true;
  });
});

Deno.test("validateTopicFilter() rejects a value that is not a string", () => {
  assert.throws(() => validateTopicFilter(42 as unknown as string), {
    name: "TypeError",
    message: "Invalid topic filter: expected a string, got number",
  });
});
