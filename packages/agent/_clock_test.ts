import assert from "node:assert/strict";
import { now } from "./_clock.ts";

Deno.test("now() reads the clock once per run of synchronous code", async () => {
  const first = now();
  for (let i = 0; i < 1000; i++) assert.equal(now(), first);
  await new Promise((resolve) => setTimeout(resolve, 0));
  // A later task reads the clock again; monotonic, so never earlier.
  assert.ok(now() >= first);
});
