import assert from "node:assert/strict";
import { matches } from "./matches.ts";
import { TopicTrie } from "./topic_trie.ts";

/** A deterministic PRNG (mulberry32) so that a failure can be replayed from its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The brute-force oracle: each filter becomes a regular expression, written from the
 * spec's wording independently of the trie and of matches().
 */
function oracle(filter: string, topic: string): boolean {
  const levels = filter.split("/");
  if ((levels[0] === "+" || levels[0] === "#") && topic.startsWith("$")) return false;
  const escape = (level: string) => level.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  let pattern = "";
  levels.forEach((level, i) => {
    if (level === "#") pattern += i === 0 ? ".*" : "(?:/.*)?";
    else pattern += (i === 0 ? "" : "/") + (level === "+" ? "[^/]*" : escape(level));
  });
  return new RegExp(`^${pattern}$`, "s").test(topic);
}

const LEVELS = ["a", "b", "c", "", "$x", "ü", "a b"];

function randomTopic(next: () => number): string {
  const depth = 1 + Math.floor(next() * 5);
  const levels = Array.from({ length: depth }, () => LEVELS[Math.floor(next() * LEVELS.length)]);
  return levels.join("/") || "/";
}

function randomFilter(next: () => number): string {
  const depth = 1 + Math.floor(next() * 4);
  const levels = Array.from(
    { length: depth },
    () => next() < 0.3 ? "+" : LEVELS[Math.floor(next() * LEVELS.length)],
  );
  if (next() < 0.3) levels.push("#");
  if (next() < 0.05) return "#";
  // A lone empty level is the one combination that is not a valid filter.
  return levels.join("/") || "/";
}

Deno.test("TopicTrie.match() agrees with a brute-force matcher on random filters and topics", () => {
  for (const seed of [1, 2, 3, 42, 2026]) {
    const next = random(seed);
    const trie = new TopicTrie<number>();
    const filters = Array.from({ length: 300 }, () => randomFilter(next));
    filters.forEach((filter, i) => trie.add(filter, i));
    const check = (live: (i: number) => boolean) => {
      for (let n = 0; n < 500; n++) {
        const topic = randomTopic(next);
        const expected = filters.flatMap((f, i) => live(i) && oracle(f, topic) ? [i] : []);
        assert.deepEqual(
          trie.match(topic).sort((x, y) => x - y),
          expected,
          `seed ${seed}: ${topic}`,
        );
      }
    };
    check(() => true);
    filters.forEach((filter, i) => {
      if (i % 2 === 0) assert.equal(trie.delete(filter, i), true);
    });
    assert.equal(trie.size, 150);
    check((i) => i % 2 === 1);
    filters.forEach((filter, i) => {
      if (i % 4 === 0) trie.add(filter, i);
    });
    check((i) => i % 2 === 1 || i % 4 === 0);
  }
});

Deno.test("matches() agrees with a brute-force matcher on random filters and topics", () => {
  for (const seed of [7, 8, 9]) {
    const next = random(seed);
    for (let n = 0; n < 20_000; n++) {
      const filter = randomFilter(next);
      const topic = randomTopic(next);
      assert.equal(
        matches(filter, topic),
        oracle(filter, topic),
        `seed ${seed}: ${filter} ${topic}`,
      );
    }
  }
});

Deno.test("TopicTrie.match() does not match $ topics with a leading wildcard [MQTT-4.7.2-1]", () => {
  const trie = new TopicTrie<string>();
  for (const filter of ["#", "+/monitor/Clients", "$SYS/#", "$SYS/monitor/+"]) {
    trie.add(filter, filter);
  }
  assert.deepEqual(trie.match("$SYS/monitor/Clients").sort(), ["$SYS/#", "$SYS/monitor/+"]);
  assert.deepEqual(trie.match("x/monitor/Clients").sort(), ["#", "+/monitor/Clients"]);
});

Deno.test("TopicTrie keeps one entry per (filter, value) pair", () => {
  const trie = new TopicTrie<string>();
  trie.add("a/+", "x");
  trie.add("a/#", "x");
  trie.add("a/+", "y");
  trie.add("a/+", "y");
  assert.equal(trie.size, 4);
  assert.deepEqual(trie.match("a/b").sort(), ["x", "x", "y", "y"]);
  assert.equal(trie.delete("a/+", "y"), true);
  assert.deepEqual(trie.match("a/b").sort(), ["x", "x", "y"]);
  assert.equal(trie.delete("a/+", "z"), false);
  assert.equal(trie.delete("a/b/c", "x"), false);
  assert.equal(trie.delete("q/#", "x"), false);
  assert.equal(trie.size, 3);
});

Deno.test("TopicTrie stores a shared subscription under its topic filter", () => {
  const trie = new TopicTrie<string>();
  trie.add("$share/g/jobs/+", "shared");
  assert.deepEqual(trie.match("jobs/1"), ["shared"]);
  assert.deepEqual(trie.match("$share/g/jobs/1"), []);
  assert.equal(trie.delete("$share/g/jobs/+", "shared"), true);
  assert.deepEqual(trie.match("jobs/1"), []);
});

Deno.test("TopicTrie.add() rejects an invalid filter", () => {
  const trie = new TopicTrie<number>();
  assert.throws(() => trie.add("a/#/b", 1), {
    name: "TypeError",
    message: 'Invalid topic filter "a/#/b": "#" must be the last level',
  });
  assert.equal(trie.size, 0);
});

Deno.test("TopicTrie.delete() prunes nodes so that emptied branches match nothing", () => {
  const trie = new TopicTrie<number>();
  trie.add("a/b/c/d", 1);
  trie.add("a/+/c", 2);
  trie.delete("a/b/c/d", 1);
  trie.delete("a/+/c", 2);
  assert.equal(trie.size, 0);
  assert.deepEqual(trie.match("a/b/c/d"), []);
  trie.add("a/b/c/d", 3);
  assert.deepEqual(trie.match("a/b/c/d"), [3]);
});

Deno.test("TopicTrie keeps levels whose hashes collide apart", async () => {
  const { levelHash } = await import("./_level_hash.ts");
  const seen = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; !pair; i++) {
    const level = `k${i}`;
    const hash = levelHash(level, 0, level.length);
    const other = seen.get(hash);
    if (other !== undefined) pair = [other, level];
    seen.set(hash, level);
  }
  const [x, y] = pair;
  const trie = new TopicTrie<string>();
  for (const filter of [`a/${x}`, `a/${y}`, "a/z", `a/${x}/+`, `a/${y}/#`]) {
    trie.add(filter, filter);
  }
  assert.deepEqual(trie.match(`a/${x}`), [`a/${x}`]);
  assert.deepEqual(trie.match(`a/${y}`).sort(), [`a/${y}`, `a/${y}/#`]);
  assert.deepEqual(trie.match(`a/${x}/q`), [`a/${x}/+`]);
  assert.equal(trie.delete(`a/${y}`, `a/${y}`), true);
  assert.equal(trie.delete(`a/${y}/#`, `a/${y}/#`), true);
  assert.deepEqual(trie.match(`a/${y}`), []);
  assert.deepEqual(trie.match(`a/${x}`), [`a/${x}`]);
  trie.add(`a/${y}`, "again");
  assert.equal(trie.delete(`a/${x}`, `a/${x}`), true);
  assert.equal(trie.delete(`a/${x}/+`, `a/${x}/+`), true);
  assert.deepEqual(trie.match(`a/${x}`), []);
  assert.deepEqual(trie.match(`a/${y}`), ["again"]);
});
