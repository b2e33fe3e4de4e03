import assert from "node:assert/strict";
import { Decoder, encode, encodeAll, PacketWriter } from "./mod.ts";
import type { Packet, ProtocolVersion } from "./packet.ts";
import { samplePackets } from "./testdata/sample_packets.ts";

const VERSIONS: ProtocolVersion[] = [4, 5];

for (const version of VERSIONS) {
  Deno.test(`encode() then Decoder round-trips every MQTT ${version === 5 ? "5.0" : "3.1.1"} sample packet`, () => {
    for (const packet of samplePackets(version)) {
      const decoder = new Decoder({ version });
      assert.deepEqual(decoder.push(encode(packet, { version })), [packet]);
      assert.equal(decoder.pendingBytes, 0);
    }
  });

  Deno.test(`Decoder returns the same packets for every split point of a v${version} stream`, () => {
    const packets = samplePackets(version);
    const stream = encodeAll(packets, { version });
    for (let split = 0; split <= stream.length; split++) {
      const decoder = new Decoder({ version });
      const decoded = [
        ...decoder.push(stream.subarray(0, split)),
        ...decoder.push(stream.subarray(split)),
      ];
      assert.deepEqual(decoded, packets, `split at byte ${split}`);
    }
  });

  Deno.test(`Decoder accepts a v${version} stream one byte at a time`, () => {
    const packets = samplePackets(version);
    const stream = encodeAll(packets, { version });
    const decoder = new Decoder({ version });
    const decoded: Packet[] = [];
    for (let i = 0; i < stream.length; i++) {
      decoded.push(...decoder.push(stream.subarray(i, i + 1)));
    }
    assert.deepEqual(decoded, packets);
  });
}

Deno.test("PacketWriter.take() returns the concatenation of encode() for each packet", () => {
  const writer = new PacketWriter({ version: 5, bufferSize: 64 });
  const packets = samplePackets(5);
  const expected: number[] = [];
  for (const packet of packets) {
    assert.equal(writer.write(packet), encode(packet, { version: 5 }).length);
    expected.push(...encode(packet, { version: 5 }));
  }
  assert.equal(writer.length, expected.length);
  const first = writer.take();
  assert.deepEqual([...first], expected);
  writer.write({ type: "pingreq" });
  assert.deepEqual([...writer.take()], [0xc0, 0x00]);
  assert.deepEqual([...first], expected, "a taken view is never overwritten");
});

Deno.test("PacketWriter writes nothing for a packet that fails validation", () => {
  const writer = new PacketWriter({ version: 4 });
  writer.write({ type: "pingreq" });
  assert.throws(
    () =>
      writer.write({
        type: "publish",
        topic: "a/+",
        payload: new Uint8Array(),
        qos: 0,
        retain: false,
        dup: false,
      }),
    TypeError,
  );
  assert.deepEqual([...writer.take()], [0xc0, 0x00]);
});
