import assert from "node:assert/strict";
import { computeDelta, deltaMetadata } from "./delta.ts";

Deno.test("computeDelta() includes desired-only keys and never reported-only ones (§1.7)", () => {
  assert.deepStrictEqual(computeDelta({ a: 1, b: 2 }, { b: 2, c: 3 }), { a: 1 });
});

Deno.test("computeDelta() is the whole desired section when nothing is reported (§1.7)", () => {
  assert.deepStrictEqual(computeDelta({ a: { b: 1 } }, undefined), { a: { b: 1 } });
});

Deno.test("computeDelta() is undefined when in sync or when nothing is desired (§1.7)", () => {
  assert.equal(
    computeDelta({ a: 1, n: { m: [1, 2] } }, { a: 1, n: { m: [1, 2] }, x: 0 }),
    undefined,
  );
  assert.equal(computeDelta(undefined, { a: 1 }), undefined);
});

Deno.test("computeDelta() keeps only differing leaves of nested objects, with full paths (§1.7)", () => {
  assert.deepStrictEqual(
    computeDelta({ l: { on: true, c: { r: 1, g: 2 } } }, { l: { on: true, c: { r: 1, g: 3 } } }),
    { l: { c: { g: 2 } } },
  );
});

Deno.test("computeDelta() compares arrays whole and copies the desired array (§1.7)", () => {
  assert.deepStrictEqual(computeDelta({ a: [1, 2, 3] }, { a: [1, 2] }), { a: [1, 2, 3] });
  assert.deepStrictEqual(computeDelta({ a: [{ x: 1 }] }, { a: [{ x: 1 }] }), undefined);
});

Deno.test("computeDelta() compares objects regardless of key order and types strictly", () => {
  assert.equal(computeDelta({ a: [{ x: 1, y: 2 }] }, { a: [{ y: 2, x: 1 }] }), undefined);
  assert.deepStrictEqual(computeDelta({ a: 1 }, { a: "1" }), { a: 1 });
  assert.deepStrictEqual(computeDelta({ a: { b: 1 } }, { a: 5 }), { a: { b: 1 } });
  assert.deepStrictEqual(computeDelta({ a: false }, { a: null as never }), { a: false });
});

Deno.test("deltaMetadata() prunes the desired metadata to the delta's shape (§1.4, §1.7)", () => {
  assert.deepStrictEqual(
    deltaMetadata({ l: { c: { g: 2 } }, arr: [1] }, {
      l: { on: { timestamp: 1 }, c: { r: { timestamp: 1 }, g: { timestamp: 7 } } },
      arr: [{ timestamp: 3 }],
      other: { timestamp: 9 },
    }),
    { l: { c: { g: { timestamp: 7 } } }, arr: [{ timestamp: 3 }] },
  );
});
