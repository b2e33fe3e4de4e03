import assert from "node:assert/strict";
import { at, SPEC_CASES } from "./testdata/spec_cases.ts";
import type { JsonValue } from "./document.ts";
import { MemoryShadowStore } from "./memory_store.ts";
import { ShadowEngine } from "./shadow_engine.ts";
import type { ShadowStore } from "./store.ts";

const encoder = new TextEncoder();

function bytes(payload: string | Uint8Array): Uint8Array {
  return typeof payload === "string" ? encoder.encode(payload) : payload;
}

for (const specCase of SPEC_CASES) {
  Deno.test(`ShadowEngine: ${specCase.name}`, () => {
    const engine = new ShadowEngine();
    for (const [index, step] of specCase.steps.entries()) {
      const out = engine.handle({ topic: step.topic, payload: bytes(step.payload) }, step.now);
      assert.deepStrictEqual(out, step.expect, `step ${index + 1}: ${step.topic}`);
    }
  });
}

Deno.test("ShadowEngine: every output payload survives JSON serialization unchanged", () => {
  const engine = new ShadowEngine();
  for (const step of SPEC_CASES[0].steps) {
    for (
      const output of engine.handle({ topic: step.topic, payload: bytes(step.payload) }, step.now)
    ) {
      assert.deepStrictEqual(JSON.parse(JSON.stringify(output.payload)), output.payload);
    }
  }
});

Deno.test("ShadowEngine: §1.5 a store that fails gives 500 Internal service failure", () => {
  const failing: ShadowStore = {
    get: () => {
      throw new Error("disk on fire");
    },
    put: () => {},
  };
  const engine = new ShadowEngine({ store: failing });
  const out = engine.handle({
    topic: "$aws/things/lamp1/shadow/update",
    payload: encoder.encode('{"state":{},"clientToken":"x"}'),
  }, at(0));
  assert.deepStrictEqual(out, [{
    topic: "$aws/things/lamp1/shadow/update/rejected",
    payload: { code: 500, message: "Internal service failure", timestamp: 1700000000 },
  }]);
});

Deno.test("ShadowEngine: a rejected update does not reach the store", () => {
  const store = new MemoryShadowStore();
  let puts = 0;
  const counting: ShadowStore = {
    get: (name) => store.get(name),
    put: (name, record) => {
      puts++;
      store.put(name, record);
    },
  };
  const engine = new ShadowEngine({ store: counting });
  engine.handle({
    topic: "$aws/things/lamp1/shadow/update",
    payload: encoder.encode('{"state":{"reported":[1]}}'),
  }, at(0));
  assert.equal(puts, 0);
});

Deno.test("ShadowEngine: the limits are options (a 2-level, 64-byte service)", () => {
  const engine = new ShadowEngine({ maxDepth: 2, maxDocumentBytes: 64 });
  const update = (state: JsonValue) =>
    engine.handle({
      topic: "$aws/things/t/shadow/update",
      payload: encoder.encode(JSON.stringify({ state })),
    }, at(0))[0];
  assert.deepStrictEqual(update({ reported: { a: { b: { c: 1 } } } }).payload, {
    code: 400,
    message: "JSON contains too many levels of nesting; maximum is 2",
    timestamp: 1700000000,
  });
  assert.equal(update({ reported: { a: { b: 1 } } }).topic, "$aws/things/t/shadow/update/accepted");
  assert.deepStrictEqual(update({ reported: { a: "x".repeat(64) } }).payload, {
    code: 413,
    message: "The payload exceeds the maximum size allowed",
    timestamp: 1700000000,
  });
});

Deno.test("ShadowEngine: §1.8 a request payload over 128 KiB is refused unparsed with 413", () => {
  const engine = new ShadowEngine();
  const update = (bytes: number) =>
    engine.handle({
      topic: "$aws/things/t/shadow/get",
      payload: encoder.encode(`{"clientToken":"c","pad":"${"x".repeat(bytes - 28)}"}`),
    }, at(0))[0];
  assert.equal(update(128 * 1024).topic, "$aws/things/t/shadow/get/rejected");
  assert.equal((update(128 * 1024).payload as { code: number }).code, 404);
  assert.deepStrictEqual(update(128 * 1024 + 1).payload, {
    code: 413,
    message: "The payload exceeds the maximum size allowed",
    timestamp: 1700000000,
  });
});

Deno.test("ShadowEngine: options that are not positive are refused", () => {
  assert.throws(() => new ShadowEngine({ maxDepth: 0 }), RangeError);
  assert.throws(() => new ShadowEngine({ maxDocumentBytes: -1 }), RangeError);
  assert.throws(() => new ShadowEngine({ maxRequestsPerSecond: Number.NaN }), RangeError);
});

Deno.test("ShadowEngine: hostile input (deep nesting, __proto__ keys) neither crashes nor pollutes", () => {
  const engine = new ShadowEngine();
  const deep = '{"state":{"reported":' + "[".repeat(60_000) + "]".repeat(60_000) + "}}";
  const out = engine.handle(
    { topic: "$aws/things/t/shadow/update", payload: encoder.encode(deep) },
    at(0),
  );
  assert.equal((out[0].payload as { code: number }).code, 400);

  const proto = '{"state":{"reported":{"__proto__":{"polluted":1},"a":{"__proto__":2}}}}';
  engine.handle({ topic: "$aws/things/t/shadow/update", payload: encoder.encode(proto) }, at(0));
  const [got] = engine.handle(
    { topic: "$aws/things/t/shadow/get", payload: new Uint8Array() },
    at(0),
  );
  const state = (got.payload as { state: { reported: Record<string, unknown> } }).state;
  assert.deepStrictEqual(Object.keys(state.reported), ["__proto__", "a"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(state.reported), Object.prototype);
});
