// Decoders share one WebAssembly instance: these tests interleave several of them.
import assert from "node:assert/strict";
import { codecWasmBytes, Decoder, encode, encodeAll } from "./mod.ts";
import type { Packet, PublishPacket } from "./packet.ts";

function publish(topic: string, size = 3): PublishPacket {
  const payload = new Uint8Array(size).map((_, i) => i * 7 + topic.length);
  return { type: "publish", topic, payload, qos: 0, retain: false, dup: false };
}

Deno.test("Decoders fed alternately, each inside a packet, keep their own pending bytes", () => {
  const streams = [0, 1, 2].map((d) =>
    encodeAll(
      Array.from({ length: 300 }, (_, i) => publish(`d${d}/t${i % 13}`, (i * 97 + d) % 300_000)),
      { version: 5 },
    )
  );
  const decoders = streams.map(() => new Decoder({ version: 5 }));
  const decoded: Packet[][] = streams.map(() => []);
  // Chunks of different sizes, so packets of every decoder stay open while the others run.
  const offsets = [0, 0, 0];
  for (let round = 0; offsets.some((at, d) => at < streams[d].length); round++) {
    for (let d = 0; d < 3; d++) {
      const size = 1000 + ((round * 7919 + d * 104_729) % 90_000);
      const chunk = streams[d].subarray(offsets[d], offsets[d] + size);
      offsets[d] += chunk.length;
      decoded[d].push(...decoders[d].push(chunk));
    }
  }
  for (let d = 0; d < 3; d++) {
    decoders[d].end();
    assert.equal(decoded[d].length, 300);
    assert.deepEqual(
      decoded[d],
      Array.from({ length: 300 }, (_, i) => publish(`d${d}/t${i % 13}`, (i * 97 + d) % 300_000)),
    );
  }
});

Deno.test("A decoder holds WebAssembly memory only while a packet is unfinished or a view is out", () => {
  const decoder = new Decoder({ version: 4 });
  const bytes = encode(publish("idle/topic", 100), { version: 4 });
  assert.equal(decoder.memoryBytes, 0);
  decoder.push(bytes.subarray(0, 50));
  assert.equal(decoder.memoryBytes, 1024);
  assert.equal(decoder.push(bytes.subarray(50)).length, 1);
  assert.equal(decoder.memoryBytes, 0);
  decoder.readView(600);
  assert.equal(decoder.memoryBytes, 1024);
  decoder.commit(0);
  decoder.readView();
  assert.equal(decoder.memoryBytes, 65536);
  assert.deepEqual(decoder.commit(0), []);
  assert.equal(decoder.memoryBytes, 0);
});

Deno.test("A string interned in a call that failed decodes right on another decoder", () => {
  const wasmModule = new WebAssembly.Module(codecWasmBytes());
  const failing = new Decoder({ version: 4, wasmModule });
  const topic = "first/seen/in/a/failed/call";
  const good = encode(publish(topic), { version: 4 });
  // The valid PUBLISH interns the topic; the reserved packet type 0 then fails the call.
  assert.throws(() => failing.push(new Uint8Array([...good, 0x00, 0x00])));
  const other = new Decoder({ version: 4, wasmModule });
  const [packet] = other.push(good) as PublishPacket[];
  assert.equal(packet.topic, topic);
});

Deno.test("A read view out on a socket survives other decoders growing the shared memory", async () => {
  const wasmModule = new WebAssembly.Module(codecWasmBytes());
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await listener.accept();
  const decoder = new Decoder({ version: 4, wasmModule });
  const reading = client.read(decoder.readView());
  // Another decoder buffers a packet of 5 MB: the shared memory grows and its old
  // ArrayBuffer, which the pending read was handed a view of, is detached.
  const big = encode(publish("big", 5_000_000), { version: 4 });
  const other = new Decoder({ version: 4, wasmModule });
  assert.deepEqual(other.push(big.subarray(0, 4_000_000)), []);
  const sent = encode(publish("after/grow", 10), { version: 4 });
  await server.write(sent);
  const n = await reading;
  assert.equal(n, sent.length);
  assert.deepEqual(decoder.commit(n!), [publish("after/grow", 10)]);
  assert.deepEqual(other.push(big.subarray(4_000_000)), [publish("big", 5_000_000)]);
  client.close();
  server.close();
});
