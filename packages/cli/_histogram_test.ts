import assert from "node:assert/strict";
import { Histogram } from "./_histogram.ts";

Deno.test("Histogram percentiles are within 1% of the exact ones", () => {
  const histogram = new Histogram();
  for (let i = 1; i <= 10_000; i++) histogram.add(i / 100); // 0.01 .. 100 ms
  for (const [fraction, exact] of [[0.5, 50], [0.99, 99], [1, 100]]) {
    const value = histogram.percentile(fraction);
    assert.ok(Math.abs(value - exact) / exact <= 0.01, `p${fraction * 100}: ${value} vs ${exact}`);
  }
  assert.equal(histogram.count, 10_000);
  assert.equal(histogram.max, 100);
  assert.ok(Math.abs(histogram.mean - 50.005) < 1e-9);
});

Deno.test("an empty Histogram answers 0", () => {
  const histogram = new Histogram();
  assert.deepStrictEqual([histogram.percentile(0.5), histogram.max, histogram.mean], [0, 0, 0]);
});
