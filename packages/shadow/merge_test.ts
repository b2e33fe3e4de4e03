import assert from "node:assert/strict";
import type { JsonObject } from "./document.ts";
import { applyPatch, type MetadataObject, metadataOf, nestingDepth } from "./merge.ts";

function merged(state: JsonObject, metadata: MetadataObject, patch: JsonObject, timestamp = 2) {
  applyPatch(state, metadata, patch, timestamp);
  return { state, metadata };
}

Deno.test("applyPatch() changes only the given fields and deletes null ones (§1.3, §1.6)", () => {
  assert.deepStrictEqual(
    merged(
      { a: 1, b: 2, c: 3 },
      { a: { timestamp: 1 }, b: { timestamp: 1 }, c: { timestamp: 1 } },
      {
        b: 20,
        c: null,
        d: null,
      },
    ),
    { state: { a: 1, b: 20 }, metadata: { a: { timestamp: 1 }, b: { timestamp: 2 } } },
  );
});

Deno.test("applyPatch() merges nested objects recursively (§1.6)", () => {
  assert.deepStrictEqual(
    merged(
      { light: { on: true, level: 3 } },
      { light: { on: { timestamp: 1 }, level: { timestamp: 1 } } },
      { light: { level: 4 } },
    ),
    {
      state: { light: { on: true, level: 4 } },
      metadata: { light: { on: { timestamp: 1 }, level: { timestamp: 2 } } },
    },
  );
});

Deno.test("applyPatch() replaces arrays whole, with per-element metadata (§1.6)", () => {
  assert.deepStrictEqual(
    merged({ rgb: [1, 2, 3] }, { rgb: [{ timestamp: 1 }, { timestamp: 1 }, { timestamp: 1 }] }, {
      rgb: [9],
    }),
    { state: { rgb: [9] }, metadata: { rgb: [{ timestamp: 2 }] } },
  );
});

Deno.test("applyPatch() lets the patch's type win (§1.6)", () => {
  assert.deepStrictEqual(
    merged({ a: 1, b: { x: 1 }, c: [1] }, {
      a: { timestamp: 1 },
      b: { x: { timestamp: 1 } },
      c: [{ timestamp: 1 }],
    }, { a: { y: 2 }, b: "s", c: { z: [true] } }),
    {
      state: { a: { y: 2 }, b: "s", c: { z: [true] } },
      metadata: { a: { y: { timestamp: 2 } }, b: { timestamp: 2 }, c: { z: [{ timestamp: 2 }] } },
    },
  );
});

Deno.test("applyPatch() drops nulls from new objects and does not add all-null ones (§1.6)", () => {
  assert.deepStrictEqual(
    merged({ s: 1 }, { s: { timestamp: 1 } }, {
      a: { x: 1, y: null, z: { only: null } },
      b: { only: null },
      s: { only: null },
    }),
    { state: { a: { x: 1 } }, metadata: { a: { x: { timestamp: 2 } } } },
  );
});

Deno.test("applyPatch() treats an empty object in a patch as a deletion (§1.6, GG)", () => {
  assert.deepStrictEqual(
    merged({ a: { x: 1 }, b: 1 }, { a: { x: { timestamp: 1 } }, b: { timestamp: 1 } }, { a: {} }),
    { state: { b: 1 }, metadata: { b: { timestamp: 1 } } },
  );
});

Deno.test("applyPatch() keeps __proto__ as an ordinary key", () => {
  const state: JsonObject = {};
  applyPatch(state, {}, JSON.parse('{"__proto__":{"x":1}}'), 1);
  assert.equal(Object.getPrototypeOf(state), Object.prototype);
  assert.deepStrictEqual(Object.keys(state), ["__proto__"]);
});

Deno.test("metadataOf() gives every leaf, null included, a timestamp (§1.6)", () => {
  assert.deepStrictEqual(metadataOf({ a: null, b: [1, { c: 2 }], d: {} }, 5), {
    a: { timestamp: 5 },
    b: [{ timestamp: 5 }, { c: { timestamp: 5 } }],
    d: {},
  });
  assert.deepStrictEqual(metadataOf(null, 5), { timestamp: 5 });
});

Deno.test("nestingDepth() counts the section and each non-empty object or array (§1.8)", () => {
  assert.equal(nestingDepth({}), 0);
  assert.equal(nestingDepth({ a: 1 }), 1);
  assert.equal(nestingDepth({ a: {}, b: [] }), 1);
  assert.equal(nestingDepth({ a: [1] }), 2);
  assert.equal(nestingDepth({ a: [[{ b: 1 }]] }), 4);
  assert.equal(nestingDepth({ a: { b: { c: { d: { e: { f: 1 } } } } } }), 6);
  assert.equal(nestingDepth({ a: { b: { c: { d: { e: { f: { g: 1 } } } } } } }), 7);
});

Deno.test("nestingDepth() stops counting at its cap", () => {
  let deep: JsonObject = { leaf: 1 };
  for (let i = 0; i < 50_000; i++) deep = { x: deep };
  assert.equal(nestingDepth(deep, 7), 7);
});
