import assert from "node:assert/strict";
import { WriteBatch } from "./_write_batch.ts";

Deno.test("a batch of one packet is its own bytes, not a copy", () => {
  const batch = new WriteBatch();
  const packet = new Uint8Array([0xc0, 0x00]);
  batch.add(packet);
  assert.equal(batch.bytes(), packet);
});

Deno.test("packets gathered into a batch come out back to back, in order", () => {
  const batch = new WriteBatch();
  const packets = Array.from({ length: 300 }, (_, i) => new Uint8Array([0x40, 0x02, 0, i & 0xff]));
  for (const packet of packets) batch.add(packet);
  assert.equal(batch.length, 1200);
  assert.deepEqual(batch.bytes(), new Uint8Array(packets.flatMap((packet) => [...packet])));
});

Deno.test("a cleared batch starts empty and reuses its buffer", () => {
  const batch = new WriteBatch();
  batch.add(new Uint8Array([1, 2]));
  batch.add(new Uint8Array([3]));
  const first = batch.bytes();
  batch.clear(1024);
  assert.equal(batch.length, 0);
  batch.add(new Uint8Array([4]));
  batch.add(new Uint8Array([5, 6]));
  const second = batch.bytes();
  assert.deepEqual(second, new Uint8Array([4, 5, 6]));
  assert.equal(second.buffer, first.buffer);
});

Deno.test("a batch buffer that grew past the size to keep is dropped on clear", () => {
  const batch = new WriteBatch();
  batch.add(new Uint8Array(3000));
  batch.add(new Uint8Array(3000));
  const large = batch.bytes();
  batch.clear(4096);
  batch.add(new Uint8Array(1));
  batch.add(new Uint8Array(1));
  assert.notEqual(batch.bytes().buffer, large.buffer);
  assert.ok(batch.bytes().buffer.byteLength < 4096);
});
