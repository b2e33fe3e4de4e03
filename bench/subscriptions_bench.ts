/**
 * Matching one topic against 100,000 subscribed filters: `TopicTrie` against qlobber
 * (the matcher of the Aedes broker, configured for MQTT) and a linear scan with `matches()`.
 *
 * Run with `deno bench -A bench/subscriptions_bench.ts`. Target: ≥ 1 M matches/s (≤ 1 µs
 * per match) for `TopicTrie`.
 */
import { matches, TopicTrie } from "@tern/subscriptions";
import { Qlobber } from "qlobber";

const FILTER_COUNT = 100_000;

/** A device fleet's subscriptions: mostly specific filters with some wildcards, a few broad ones. */
function filters(): string[] {
  const out: string[] = ["#", "devices/#", "+/+/+/status", "fleet/+/device/+/#", "tenant/#"];
  for (let i = 0; out.length < FILTER_COUNT; i++) {
    switch (i % 4) {
      case 0:
        out.push(`devices/${i}/+/status`);
        break;
      case 1:
        out.push(`fleet/${i % 1000}/device/${i}/#`);
        break;
      case 2:
        out.push(`+/region/${i}/telemetry`);
        break;
      default:
        out.push(`tenant/${i % 500}/${i}/+/events`);
    }
  }
  return out;
}

/** Topics like the ones published to that fleet, each matching a few filters. */
function topics(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const n = i * 97 % FILTER_COUNT;
    out.push(
      `devices/${n - n % 4}/sensor${i}/status`,
      `fleet/${(n - n % 4 + 1) % 1000}/device/${n - n % 4 + 1}/battery/level`,
      `site${i}/region/${n - n % 4 + 2}/telemetry`,
      `tenant/${(n - n % 4 + 3) % 500}/${n - n % 4 + 3}/door/events`,
    );
  }
  return out;
}

const FILTERS = filters();
const TOPICS = topics();

const trie = new TopicTrie<number>();
FILTERS.forEach((filter, i) => trie.add(filter, i));

const qlobber = new Qlobber({
  separator: "/",
  wildcard_one: "+",
  wildcard_some: "#",
  match_empty_levels: true,
});
FILTERS.forEach((filter, i) => qlobber.add(filter, i));

// The three matchers must agree before their speed means anything.
for (const topic of TOPICS.slice(0, 200)) {
  const expected = FILTERS.flatMap((filter, i) => matches(filter, topic) ? [i] : []);
  const byTrie = trie.match(topic).sort((a, b) => a - b);
  const byQlobber = (qlobber.match(topic) as number[]).sort((a, b) => a - b);
  if (
    expected.length < 2 || String(byTrie) !== String(expected) ||
    String(byQlobber) !== String(expected)
  ) {
    throw new Error(`Matchers disagree on ${topic}: ${expected} / ${byTrie} / ${byQlobber}`);
  }
}

let sink = 0;

// Each iteration matches the 4,000 topics once: µs/iter ÷ 4,000 is the time per match,
// and 4,000 × iter/s is matches per second.
Deno.bench({
  name: "TopicTrie.match(), 4,000 topics × 100,000 filters",
  group: "match 4,000 topics",
  baseline: true,
  fn() {
    for (const topic of TOPICS) sink += trie.match(topic).length;
  },
});

Deno.bench({
  name: "qlobber match(), 4,000 topics × 100,000 filters",
  group: "match 4,000 topics",
  fn() {
    for (const topic of TOPICS) sink += qlobber.match(topic).length;
  },
});

// The same topic again and again (a device that mostly hears one topic): the trie path
// stays in cache, so this is the cost of the walk itself.
Deno.bench({
  name: "TopicTrie.match(), 1 topic × 4,000 times",
  group: "match 1 topic 4,000 times",
  baseline: true,
  fn() {
    const topic = TOPICS[0];
    for (let i = 0; i < 4000; i++) sink += trie.match(topic).length;
  },
});

Deno.bench({
  name: "qlobber match(), 1 topic × 4,000 times",
  group: "match 1 topic 4,000 times",
  fn() {
    const topic = TOPICS[0];
    for (let i = 0; i < 4000; i++) sink += qlobber.match(topic).length;
  },
});

Deno.bench({
  name: "linear scan with matches(), 1 topic × 100,000 filters",
  group: "match 1 topic by linear scan",
  n: 20,
  fn() {
    for (const filter of FILTERS) if (matches(filter, TOPICS[sink % TOPICS.length])) sink++;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
