import assert from "node:assert/strict";
import { codecWasmBytes, Decoder, encode, encodeAll, MalformedPacketError } from "./mod.ts";
import type { Packet, PublishPacket } from "./packet.ts";

function publish(topic: string, payload = new Uint8Array([1, 2, 3])): PublishPacket {
  return { type: "publish", topic, payload, qos: 0, retain: false, dup: false };
}

Deno.test("Decoder decodes many distinct topics, past the capacity of its intern table", () => {
  const decoder = new Decoder({ version: 4 });
  // 8192 interned strings fit; 20,000 distinct topics force the table to start over twice,
  // and the repeats after each restart must still map to the right strings.
  const packets = Array.from({ length: 20_000 }, (_, i) => publish(`topic/${i % 9000}/${i % 7}`));
  const decoded: Packet[] = [];
  const stream = encodeAll(packets, { version: 4 });
  for (let at = 0; at < stream.length; at += 4096) {
    decoded.push(...decoder.push(stream.subarray(at, at + 4096)));
  }
  assert.deepEqual(decoded, packets);
});

Deno.test("Decoder returns the identical string for a repeated topic", () => {
  const decoder = new Decoder({ version: 5 });
  const bytes = encodeAll([publish("a/b"), publish("a/b")], { version: 5 });
  const [first, second] = decoder.push(bytes) as PublishPacket[];
  assert.equal(first.topic, "a/b");
  assert.equal(second.topic, first.topic);
});

Deno.test("Decoder decodes a packet with more fields than its initial tape holds", () => {
  const subscribe: Packet = {
    type: "subscribe",
    packetId: 1,
    subscriptions: Array.from({ length: 30_000 }, (_, i) => ({ topicFilter: `f${i}`, qos: 1 })),
  };
  const packets = [publish("before"), subscribe, publish("after")];
  const decoder = new Decoder({ version: 4 });
  assert.deepEqual(decoder.push(encodeAll(packets, { version: 4 })), packets);
  // And again, now that the tape has grown.
  assert.deepEqual(decoder.push(encodeAll(packets, { version: 4 })), packets);
});

Deno.test("Decoder decodes a chunk holding more packets than one call's tape", () => {
  const packets = Array.from({ length: 50_000 }, (_, i) => publish(`t/${i % 100}`));
  const decoder = new Decoder({ version: 4 });
  assert.deepEqual(decoder.push(encodeAll(packets, { version: 4 })), packets);
});

Deno.test("Decoder reassembles a 3 MiB payload pushed in 1000-byte chunks", () => {
  const payload = new Uint8Array(3 * 1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
  const bytes = encode(publish("big", payload), { version: 5 });
  const decoder = new Decoder({ version: 5 });
  const decoded: Packet[] = [];
  for (let at = 0; at < bytes.length; at += 1000) {
    decoded.push(...decoder.push(bytes.subarray(at, at + 1000)));
  }
  assert.equal(decoded.length, 1);
  assert.deepEqual((decoded[0] as PublishPacket).payload, payload);
});

Deno.test("Decoder decodes one chunk larger than its copy window", () => {
  const packets = [
    publish("a", new Uint8Array(700_000).fill(7)),
    publish("b", new Uint8Array(900_000).fill(8)),
    publish("c"),
  ];
  const decoder = new Decoder({ version: 4 });
  assert.deepEqual(decoder.push(encodeAll(packets, { version: 4 })), packets);
});

Deno.test("Decoder payloads stay valid after later pushes and after the caller reuses its chunk", () => {
  const decoder = new Decoder({ version: 4 });
  const chunk = encode(publish("t", new Uint8Array([1, 2, 3])), { version: 4 });
  const [first] = decoder.push(chunk) as PublishPacket[];
  chunk.fill(0xc0);
  decoder.push(encode(publish("t", new Uint8Array([9, 9, 9])), { version: 4 }));
  assert.deepEqual(first.payload, new Uint8Array([1, 2, 3]));
});

Deno.test("Decoder payloads of one push share one buffer instead of one ArrayBuffer each", () => {
  const decoder = new Decoder({ version: 4 });
  const [a, b] = decoder.push(
    encodeAll([publish("a"), publish("b")], { version: 4 }),
  ) as PublishPacket[];
  assert.equal(a.payload.buffer, b.payload.buffer);
});

Deno.test("Decoder accepts a precompiled WebAssembly.Module", () => {
  const wasmModule = new WebAssembly.Module(codecWasmBytes());
  const decoder = new Decoder({ version: 5, wasmModule });
  assert.deepEqual(decoder.push(new Uint8Array([0xd0, 0x00])), [{ type: "pingresp" }]);
});

Deno.test("Decoder returns nothing for an empty chunk", () => {
  assert.deepEqual(new Decoder({ version: 4 }).push(new Uint8Array(0)), []);
});

Deno.test("Decoder.readView() lets a TCP connection read straight into the decoder's memory", async () => {
  const packets = Array.from({ length: 2000 }, (_, i) => publish(`t/${i % 10}`));
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await listener.accept();
  const writing = (async () => {
    const bytes = encodeAll(packets, { version: 4 });
    for (let at = 0; at < bytes.length;) at += await server.write(bytes.subarray(at));
    server.close();
  })();
  const decoder = new Decoder({ version: 4 });
  const decoded: Packet[] = [];
  for (let n; (n = await client.read(decoder.readView())) !== null;) {
    decoded.push(...decoder.commit(n));
  }
  client.close();
  await writing;
  decoder.end();
  assert.deepEqual(decoded, packets);
});

Deno.test("Decoder.commit() refuses more bytes than the last readView() held", () => {
  const decoder = new Decoder({ version: 4 });
  assert.throws(() => decoder.commit(1), RangeError);
  const view = decoder.readView(4);
  view.set([0xc0, 0x00, 0xd0, 0x00]);
  assert.throws(() => decoder.commit(5), RangeError);
  assert.deepEqual(decoder.commit(4), [{ type: "pingreq" }, { type: "pingresp" }]);
  assert.throws(() => decoder.readView(0), RangeError);
});

Deno.test("Decoder refuses a packet it has no memory for with reason code 0x95", () => {
  // A module of its own: no run freed by another test can hold the packet.
  const wasmModule = new WebAssembly.Module(codecWasmBytes());
  const decoder = new Decoder({ version: 4, wasmModule });
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = () => {
    throw new RangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded");
  };
  try {
    const bytes = encode(publish("big", new Uint8Array(3_000_000)), { version: 4 });
    assert.throws(() => decoder.push(bytes), (error: unknown) => {
      assert.ok(error instanceof MalformedPacketError);
      assert.equal(error.reasonCode, 0x95);
      return true;
    });
  } finally {
    WebAssembly.Memory.prototype.grow = grow;
  }
});
