import assert from "node:assert/strict";
import { Emitter } from "./_emitter.ts";

Deno.test("Emitter calls listeners in the order added and stops calling removed ones", () => {
  const emitter = new Emitter<{ tick: number }>(() => {});
  const calls: string[] = [];
  const offA = emitter.on("tick", (n) => calls.push(`a${n}`));
  emitter.on("tick", (n) => calls.push(`b${n}`));
  emitter.emit("tick", 1);
  offA();
  emitter.emit("tick", 2);
  assert.deepEqual(calls, ["a1", "b1", "b2"]);
});

Deno.test("Emitter delivers to a listener added during an event from the next event on", () => {
  const emitter = new Emitter<{ tick: number }>(() => {});
  const calls: number[] = [];
  emitter.on("tick", () => {
    if (calls.length === 0) emitter.on("tick", (n) => calls.push(n));
  });
  emitter.emit("tick", 1);
  emitter.emit("tick", 2);
  assert.deepEqual(calls, [2]);
  assert.throws(() => emitter.on("tick", 5 as never), TypeError);
});

Deno.test("Emitter sends a listener's throw or rejection to onError and still calls the others", async () => {
  const errors: [unknown, string][] = [];
  const emitter = new Emitter<{ tick: number }>((error, type) => errors.push([error, type]));
  const calls: number[] = [];
  emitter.on("tick", () => {
    throw new Error("sync");
  });
  emitter.on("tick", () => Promise.reject(new Error("async")));
  emitter.on("tick", (n) => calls.push(n));
  assert.equal(emitter.has("tick"), true);
  emitter.emit("tick", 1);
  assert.deepEqual(calls, [1]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(errors.map(([e, type]) => [(e as Error).message, type]), [
    ["sync", "tick"],
    ["async", "tick"],
  ]);
});
