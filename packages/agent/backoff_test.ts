import assert from "node:assert/strict";
import { Backoff } from "./backoff.ts";

/** A seeded generator (mulberry32), so a failing draw can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns the given values in turn, then fails loudly. */
function scripted(...values: number[]): () => number {
  let i = 0;
  return () => {
    assert.ok(i < values.length, "random() called more often than scripted");
    return values[i++];
  };
}

Deno.test("nextDelay() without jitter doubles from the minimum and stays at the maximum", () => {
  const backoff = new Backoff({ minDelayMs: 250, maxDelayMs: 10_000, jitter: "none" });
  const delays = Array.from({ length: 9 }, () => backoff.nextDelay(0));
  assert.deepEqual(delays, [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
});

Deno.test("Backoff defaults to 1 s up to 120 s", () => {
  const backoff = new Backoff({ jitter: "none" });
  const delays = Array.from({ length: 10 }, () => backoff.nextDelay(0));
  assert.equal(delays[0], 1000);
  assert.equal(delays[6], 64_000);
  assert.equal(delays[7], 120_000);
  assert.equal(delays[9], 120_000);
});

Deno.test("nextDelay() never overflows, however many attempts failed", () => {
  const backoff = new Backoff({ minDelayMs: 1, maxDelayMs: 5000, jitter: "none" });
  let last = 0;
  for (let i = 0; i < 5000; i++) last = backoff.nextDelay(i);
  assert.equal(last, 5000);
  assert.equal(backoff.attempt, 5000);
});

Deno.test("full jitter draws between the minimum and twice the un-jittered delay", () => {
  // Attempt n spans [min, min(max, min * 2 ** (n + 1))]: the extremes of random() hit the ends.
  const low = new Backoff({ minDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
  assert.deepEqual(Array.from({ length: 6 }, () => low.nextDelay(0)), [
    100,
    100,
    100,
    100,
    100,
    100,
  ]);
  const high = new Backoff({ minDelayMs: 100, maxDelayMs: 1000, random: () => 0.9999999 });
  assert.deepEqual(Array.from({ length: 6 }, () => high.nextDelay(0)), [
    200,
    400,
    800,
    1000,
    1000,
    1000,
  ]);
  const middle = new Backoff({
    minDelayMs: 100,
    maxDelayMs: 1000,
    random: scripted(0.5, 0.5, 0.5),
  });
  assert.deepEqual([middle.nextDelay(0), middle.nextDelay(0), middle.nextDelay(0)], [
    150,
    250,
    450,
  ]);
});

Deno.test("full jitter with a seeded source stays in each attempt's window and spreads over it", () => {
  const min = 1000;
  const max = 120_000;
  for (let attempt = 0; attempt < 10; attempt++) {
    const ceiling = Math.min(max, min * 2 ** (attempt + 1));
    const draws: number[] = [];
    const random = seeded(attempt + 1);
    for (let run = 0; run < 400; run++) {
      const backoff = new Backoff({ random });
      for (let k = 0; k < attempt; k++) backoff.nextDelay(0);
      draws.push(backoff.nextDelay(0));
    }
    const lowest = Math.min(...draws);
    const highest = Math.max(...draws);
    assert.ok(lowest >= min && highest <= ceiling, `attempt ${attempt}: ${lowest}..${highest}`);
    // Spread: the draws reach into the bottom and top tenth of the window.
    const tenth = (ceiling - min) / 10;
    assert.ok(lowest < min + tenth, `attempt ${attempt}: lowest draw ${lowest} is not spread`);
    assert.ok(
      highest > ceiling - tenth,
      `attempt ${attempt}: highest draw ${highest} is not spread`,
    );
  }
});

Deno.test("decorrelated jitter draws between the minimum and three times the previous delay", () => {
  const high = new Backoff({
    minDelayMs: 100,
    maxDelayMs: 5000,
    jitter: "decorrelated",
    random: () => 0.9999999,
  });
  assert.deepEqual(Array.from({ length: 6 }, () => high.nextDelay(0)), [
    300,
    900,
    2700,
    5000,
    5000,
    5000,
  ]);
  const low = new Backoff({
    minDelayMs: 100,
    maxDelayMs: 5000,
    jitter: "decorrelated",
    random: () => 0,
  });
  assert.deepEqual(Array.from({ length: 3 }, () => low.nextDelay(0)), [100, 100, 100]);
  // Each draw depends on the one before: 0.5 of [100, 300] is 200, then 0.5 of [100, 600] is 350.
  const chained = new Backoff({
    minDelayMs: 100,
    maxDelayMs: 5000,
    jitter: "decorrelated",
    random: scripted(0.5, 0.5, 0),
  });
  assert.deepEqual([chained.nextDelay(0), chained.nextDelay(0), chained.nextDelay(0)], [
    200,
    350,
    100,
  ]);
});

Deno.test("decorrelated jitter with a seeded source stays between the minimum and the maximum", () => {
  const backoff = new Backoff({ jitter: "decorrelated", random: seeded(42) });
  let previous = 1000;
  for (let i = 0; i < 1000; i++) {
    const delay = backoff.nextDelay(0);
    assert.ok(delay >= 1000 && delay <= Math.min(120_000, previous * 3), `draw ${i}: ${delay}`);
    previous = delay;
  }
});

Deno.test("the delay resets only after a connection stayed up for resetAfterConnectedMs", () => {
  const backoff = new Backoff({ jitter: "none", resetAfterConnectedMs: 30_000 });
  let now = 0;
  assert.equal(backoff.nextDelay(now), 1000);
  assert.equal(backoff.nextDelay(now), 2000);
  // Accepted, then lost 29.999 s later: not stable, keep backing off.
  now = 10_000;
  backoff.connected(now);
  now += 29_999;
  assert.equal(backoff.nextDelay(now), 4000);
  // A failed attempt with no connection in between never resets, however long it took.
  now += 1_000_000;
  assert.equal(backoff.nextDelay(now), 8000);
  // Up for exactly 30 s: start again from the minimum.
  backoff.connected(now);
  now += 30_000;
  assert.equal(backoff.nextDelay(now), 1000);
  assert.equal(backoff.attempt, 1);
  // The stable connection counts once: the following failure goes on from there.
  assert.equal(backoff.nextDelay(now), 2000);
});

Deno.test("the decorrelated chain restarts from the minimum after a stable connection", () => {
  const backoff = new Backoff({
    minDelayMs: 100,
    jitter: "decorrelated",
    random: () => 0.9999999,
    resetAfterConnectedMs: 10,
  });
  assert.deepEqual([backoff.nextDelay(0), backoff.nextDelay(0)], [300, 900]);
  backoff.connected(0);
  assert.equal(backoff.nextDelay(10), 300);
});

Deno.test("reset() starts again from the minimum delay", () => {
  const backoff = new Backoff({ jitter: "none" });
  backoff.nextDelay(0);
  backoff.nextDelay(0);
  backoff.reset();
  assert.equal(backoff.attempt, 0);
  assert.equal(backoff.nextDelay(0), 1000);
});

Deno.test("Backoff rejects bad options with an error naming the option", () => {
  assert.throws(() => new Backoff({ minDelayMs: -1 }), /minDelayMs must be a finite number/);
  assert.throws(() => new Backoff({ maxDelayMs: Infinity }), /maxDelayMs must be a finite number/);
  assert.throws(() => new Backoff({ resetAfterConnectedMs: NaN }), /resetAfterConnectedMs/);
  assert.throws(
    () => new Backoff({ minDelayMs: 10, maxDelayMs: 5 }),
    /maxDelayMs \(5\) is below minDelayMs \(10\)/,
  );
  assert.throws(
    () => new Backoff({ jitter: "equal" as "full" }),
    /jitter must be "none", "full" or "decorrelated", got equal/,
  );
  assert.throws(() => new Backoff({ random: 0.5 as unknown as () => number }), TypeError);
});

Deno.test("nextDelay() refuses a random source that leaves [0, 1)", () => {
  const backoff = new Backoff({ random: () => 1 });
  assert.throws(() => backoff.nextDelay(0), /random\(\) returned 1, not in \[0, 1\)/);
  assert.throws(() => new Backoff().nextDelay(NaN), /now must be a finite number/);
  assert.throws(() => new Backoff().connected(Infinity), /now must be a finite number/);
});
