import assert from "node:assert/strict";
import { MAX_READ, MIN_READ, nextReadSize } from "./_read_size.ts";

Deno.test("read sizes grow fourfold while reads come back full, up to 64 KiB", () => {
  const sizes = [MIN_READ];
  while (sizes.at(-1)! < MAX_READ) sizes.push(nextReadSize(sizes.at(-1)!, sizes.at(-1)!));
  assert.deepEqual(sizes, [1024, 4096, 16384, 65536]);
  assert.equal(nextReadSize(MAX_READ, MAX_READ), MAX_READ);
});

Deno.test("read sizes halve after small reads, down to 1 KiB, and hold in between", () => {
  assert.equal(nextReadSize(65536, 100), 32768);
  assert.equal(nextReadSize(2048, 4), 1024);
  assert.equal(nextReadSize(1024, 4), 1024);
  assert.equal(nextReadSize(65536, 30000), 65536);
});
