import assert from "node:assert/strict";
import { randomHex } from "./_random.ts";

Deno.test("randomHex() gives two lowercase hex digits per byte, different each time", () => {
  const a = randomHex(8);
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.notEqual(randomHex(8), a);
  assert.equal(randomHex(0), "");
});
