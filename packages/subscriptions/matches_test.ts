import assert from "node:assert/strict";
import { matches } from "./matches.ts";

/** [filter, topic, expected]: the spec's examples (MQTT 3.1.1 and 5.0 §4.7) first, then edge cases. */
const CASES: [string, string, boolean][] = [
  // §4.7.1.2 multi-level wildcard
  ["sport/tennis/player1/#", "sport/tennis/player1", true],
  ["sport/tennis/player1/#", "sport/tennis/player1/ranking", true],
  ["sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true],
  ["sport/tennis/player1/#", "sport/tennis/player2", false],
  ["sport/tennis/player1/#", "sport/tennis", false],
  ["sport/#", "sport", true],
  ["sport/#", "sport/", true],
  ["sport/#", "sports", false],
  ["#", "sport", true],
  ["#", "sport/tennis/player1", true],
  ["#", "/", true],
  ["#", "/finance", true],
  ["sport/tennis/#", "sport/tennis", true],
  ["sport/tennis/#", "sport/tennis/player1/ranking", true],
  ["sport/tennis/#", "sport/tenni", false],
  // §4.7.1.3 single-level wildcard
  ["sport/tennis/+", "sport/tennis/player1", true],
  ["sport/tennis/+", "sport/tennis/player2", true],
  ["sport/tennis/+", "sport/tennis/player1/ranking", false],
  ["sport/tennis/+", "sport/tennis", false],
  ["sport/+", "sport", false],
  ["sport/+", "sport/", true],
  ["+", "sport", true],
  ["+", "/finance", false],
  ["+/tennis/#", "sport/tennis/player1", true],
  ["+/tennis/#", "sport/tennis", true],
  ["+/tennis/#", "sport/golf", false],
  ["sport/+/player1", "sport/tennis/player1", true],
  ["sport/+/player1", "sport/golf/player1", true],
  ["sport/+/player1", "sport/tennis/player2", false],
  ["sport/+/player1", "sport//player1", true],
  ["+/+", "/finance", true],
  ["/+", "/finance", true],
  ["+/+", "finance", false],
  ["/+", "finance", false],
  // §4.7.2 topics beginning with $ [MQTT-4.7.2-1]
  ["#", "$SYS", false],
  ["#", "$SYS/monitor/Clients", false],
  ["+/monitor/Clients", "$SYS/monitor/Clients", false],
  ["$SYS/#", "$SYS/monitor/Clients", true],
  ["$SYS/#", "$SYS", true],
  ["$SYS/monitor/+", "$SYS/monitor/Clients", true],
  ["$SYS/monitor/+", "$SYS/monitor/Clients/x", false],
  ["+", "$SYS", false],
  ["+/#", "$SYS/x", false],
  ["$SYS/+/Clients", "$SYS/monitor/Clients", true],
  ["$x/+", "$x/y", true],
  ["+/x", "a$/x", true],
  ["#", "a/$SYS", true],
  ["a/+", "a/$b", true],
  ["a/#", "a/$b/c", true],
  ["$share-like/#", "$share-like/x", true],
  ["$", "$", true],
  ["#", "$", false],
  // §4.7.3 topic semantics: case sensitive, spaces, leading "/"
  ["ACCOUNTS", "ACCOUNTS", true],
  ["ACCOUNTS", "Accounts", false],
  ["Accounts payable", "Accounts payable", true],
  ["Accounts payable", "Accounts", false],
  ["/finance", "/finance", true],
  ["/finance", "finance", false],
  ["finance", "/finance", false],
  // literal filters
  ["a", "a", true],
  ["a", "b", false],
  ["a/b", "a/b", true],
  ["a/b", "a/b/", false],
  ["a/b/", "a/b/", true],
  ["a/b/", "a/b", false],
  ["a//b", "a//b", true],
  ["a//b", "a/b", false],
  ["/", "/", true],
  ["//", "//", true],
  ["/", "//", false],
  ["a/b/c", "a/b", false],
  ["a/b", "a/b/c", false],
  ["a/b/c/d/e/f/g", "a/b/c/d/e/f/g", true],
  ["a/b/c/d/e/f/g", "a/b/c/d/e/f/h", false],
  // + edge cases
  ["+", "x", true],
  ["+/+/+", "a/b/c", true],
  ["+/+/+", "a/b", false],
  ["+/+/+", "a/b/c/d", false],
  ["+/+/+", "//", true],
  ["+/b", "/b", true],
  ["a/+/c", "a//c", true],
  ["a/+/c", "a/b/d", false],
  ["a/+", "a/b/c", false],
  ["+/+", "a/", true],
  ["+/+", "/", true],
  ["+", "/", false],
  ["/+/", "/x/", true],
  ["/+/", "/x", false],
  // # edge cases
  ["a/#", "a", true],
  ["a/#", "a/", true],
  ["a/#", "a//", true],
  ["a/#", "ab", false],
  ["a/#", "b/a", false],
  ["/#", "/", true],
  ["/#", "/a/b", true],
  ["/#", "a", false],
  ["+/#", "a", true],
  ["+/#", "/", true],
  ["+/#", "a/b/c", true],
  ["a/+/#", "a", false],
  ["a/+/#", "a/b", true],
  ["a/+/#", "a/b/c/d", true],
  ["+/+/#", "a", false],
  ["+/+/#", "a/b", true],
  // unicode and unusual characters
  ["ü/+", "ü/ß", true],
  ["ü/+", "u/ß", false],
  ["😀/#", "😀/x/y", true],
  ["a b/+", "a b/c d", true],
  ["a\tb", "a\tb", true],
  ["日本/+/東京", "日本/関東/東京", true],
  ["日本/+/東京", "日本/関東/大阪", false],
  // shared subscriptions match their topic filter [MQTT-4.8.2]
  ["$share/g/sport/#", "sport/tennis", true],
  ["$share/g/sport/+", "sport/tennis/x", false],
  ["$share/g/#", "$SYS/x", false],
  ["$share/g/+", "g", true],
  ["$share/group/$SYS/#", "$SYS/broker", true],
  ["$share/g/a", "$share/g/a", false],
];

Deno.test("matches() agrees with every spec example and edge case in the table", () => {
  assert.ok(CASES.length >= 100, `only ${CASES.length} cases`);
  const wrong = CASES.filter(([filter, topic, expected]) => matches(filter, topic) !== expected);
  assert.deepEqual(wrong, []);
});

Deno.test("matches() treats + as exactly one level", () => {
  assert.equal(matches("+", "a"), true);
  assert.equal(matches("+", "a/b"), false);
  assert.equal(matches("a/+/c", "a/c"), false);
});

Deno.test("matches() rejects an invalid filter or topic with a TypeError", () => {
  assert.throws(() => matches("a/#/b", "a/x/b"), {
    name: "TypeError",
    message: 'Invalid topic filter "a/#/b": "#" must be the last level',
  });
  assert.throws(() => matches("a/b", "a/+"), {
    name: "TypeError",
    message: 'Invalid topic name "a/+": contains the wildcard "+"',
  });
  assert.throws(() => matches("a", ""), {
    name: "TypeError",
    message: 'Invalid topic name "": must not be empty',
  });
});
