import assert from "node:assert/strict";
import { MemoryShadowStore } from "./memory_store.ts";
import { SqliteShadowStore } from "./sqlite_store.ts";
import type { ShadowRecord, ShadowStore } from "./store.ts";
import { WORKED_EXAMPLE } from "./testdata/spec_cases.ts";
import { ShadowEngine } from "./shadow_engine.ts";

const stores: [string, () => ShadowStore & Partial<Disposable>][] = [
  ["MemoryShadowStore", () => new MemoryShadowStore()],
  ["SqliteShadowStore", () => new SqliteShadowStore({ path: ":memory:" })],
];

const record: ShadowRecord = {
  state: { desired: { a: [1, { b: "é" }] }, reported: JSON.parse('{"__proto__":1}') },
  metadata: { desired: { a: [{ timestamp: 1 }, { b: { timestamp: 2 } }] } },
  version: 9,
};

for (const [name, create] of stores) {
  Deno.test(`${name} returns what was put, as a copy`, () => {
    const store = create();
    try {
      const input = structuredClone(record);
      store.put({ thingName: "t", shadowName: "s" }, input);
      input.version = 100;
      const got = store.get({ thingName: "t", shadowName: "s" });
      assert.deepStrictEqual(JSON.stringify(got), JSON.stringify(record));
      got!.version = 200;
      assert.equal(store.get({ thingName: "t", shadowName: "s" })?.version, 9);
    } finally {
      store[Symbol.dispose]?.();
    }
  });

  Deno.test(`${name} keeps classic and named shadows and things apart`, () => {
    const store = create();
    try {
      store.put({ thingName: "t" }, { ...record, version: 1 });
      store.put({ thingName: "t", shadowName: "s" }, { ...record, version: 2 });
      store.put({ thingName: "u" }, { ...record, version: 3, deletedAt: 1700000000 });
      assert.equal(store.get({ thingName: "t" })?.version, 1);
      assert.equal(store.get({ thingName: "t", shadowName: "s" })?.version, 2);
      assert.equal(store.get({ thingName: "u" })?.deletedAt, 1700000000);
      assert.equal(store.get({ thingName: "t" })?.deletedAt, undefined);
      assert.equal(store.get({ thingName: "v" }), undefined);
      store.put({ thingName: "u" }, { ...record, version: 4 });
      assert.deepStrictEqual(store.get({ thingName: "u" })?.deletedAt, undefined);
    } finally {
      store[Symbol.dispose]?.();
    }
  });

  Deno.test(`${name} runs the §1.9 example under the engine`, () => {
    const store = create();
    try {
      const engine = new ShadowEngine({ store });
      for (const step of WORKED_EXAMPLE.steps) {
        const payload = typeof step.payload === "string"
          ? new TextEncoder().encode(step.payload)
          : step.payload;
        assert.deepStrictEqual(
          engine.handle({ topic: step.topic, payload }, step.now),
          step.expect,
        );
      }
    } finally {
      store[Symbol.dispose]?.();
    }
  });
}

Deno.test("SqliteShadowStore keeps shadows across reopening the database file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/shadows.db`;
  try {
    {
      using store = new SqliteShadowStore({ path });
      store.put({ thingName: "lamp1", shadowName: "cfg" }, record);
    }
    using store = new SqliteShadowStore({ path });
    assert.deepStrictEqual(
      JSON.stringify(store.get({ thingName: "lamp1", shadowName: "cfg" })),
      JSON.stringify(record),
    );
    store.close();
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
