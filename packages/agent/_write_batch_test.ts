import assert from "node:assert/strict";
import { encode, type Packet } from "@tern/codec";
import { WriteBatch } from "./_write_batch.ts";

const puback = (packetId: number): Packet => ({ type: "puback", packetId });

Deno.test("packets added to a batch come out encoded back to back, in order", () => {
  const batch = new WriteBatch();
  const packets = Array.from({ length: 300 }, (_, i) => puback(i + 1));
  // Every other packet staged first, as the session measures it before it is sent.
  packets.forEach((packet, i) => {
    if (i % 2 === 0) assert.equal(batch.stage(packet, 4), 4);
    batch.add(packet, 4);
  });
  assert.equal(batch.length, 1200);
  assert.deepEqual(
    batch.bytes(),
    new Uint8Array(packets.flatMap((p) => [...encode(p, { version: 4 })])),
  );
});

Deno.test("a staged packet is not part of the batch until it is added", () => {
  const batch = new WriteBatch();
  batch.add(puback(1), 4);
  batch.stage(puback(2), 4);
  assert.deepEqual([...batch.bytes()], [0x40, 0x02, 0, 1]);
  // Another packet added instead takes the staged one's place.
  batch.add({ type: "pingreq" }, 4);
  assert.deepEqual([...batch.bytes()], [0x40, 0x02, 0, 1, 0xc0, 0x00]);
});

Deno.test("a packet staged while a write was out leaves those bytes alone and is added later", () => {
  const batch = new WriteBatch();
  batch.add(puback(1), 4);
  batch.add(puback(2), 4);
  const writing = batch.bytes();
  const staged = puback(3);
  batch.stage(staged, 4);
  assert.deepEqual([...writing], [0x40, 0x02, 0, 1, 0x40, 0x02, 0, 2]);
  batch.clear(1024);
  batch.add(staged, 4);
  assert.deepEqual([...batch.bytes()], [0x40, 0x02, 0, 3]);
});

Deno.test("a cleared batch holds no buffer and lends it to the next batch that needs one", () => {
  const first = new WriteBatch();
  first.add(puback(1), 4);
  const buffer = first.bytes().buffer;
  first.clear(4096);
  assert.equal(first.bytes().buffer.byteLength, 0);
  const second = new WriteBatch();
  second.add(puback(2), 4);
  assert.equal(second.bytes().buffer, buffer);
  assert.deepEqual([...second.bytes()], [0x40, 0x02, 0, 2]);
});

Deno.test("a packet larger than the buffer grows it, and clear() drops a buffer past the size to keep", () => {
  const batch = new WriteBatch();
  batch.add(puback(1), 5);
  const big: Packet = {
    type: "publish",
    topic: "big",
    payload: new Uint8Array(5000).fill(7),
    qos: 0,
    retain: false,
    dup: false,
  };
  batch.add(big, 5);
  assert.deepEqual(
    batch.bytes(),
    new Uint8Array([...encode(puback(1), { version: 5 }), ...encode(big, { version: 5 })]),
  );
  const large = batch.bytes().buffer;
  batch.clear(4096);
  batch.add(puback(2), 5);
  assert.notEqual(batch.bytes().buffer, large);
  assert.ok(batch.bytes().buffer.byteLength <= 4096);
});

Deno.test("an invalid packet throws and leaves the batch as it was", () => {
  const batch = new WriteBatch();
  batch.add(puback(1), 4);
  assert.throws(() => batch.stage(puback(0), 4), RangeError);
  assert.throws(() => batch.add(puback(70000), 4), RangeError);
  assert.deepEqual([...batch.bytes()], [0x40, 0x02, 0, 1]);
});
