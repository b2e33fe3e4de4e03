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

Deno.test("an MQTT 3.1 CONNECT says MQIsdp, level 3, and decodes as version 3", () => {
  const connect = {
    type: "connect" as const,
    clientId: "old-device",
    cleanStart: true,
    keepAlive: 30,
    username: "u",
    password: new TextEncoder().encode("p"),
  };
  const bytes = encode(connect, { version: 3 });
  assert.deepEqual([...bytes.subarray(2, 11)], [0, 6, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70, 3]);
  const decoder = new Decoder({ version: 4 });
  const [decoded] = decoder.push(bytes);
  assert.equal(decoded.type, "connect");
  assert.equal(decoder.version, 3);
  assert.equal((decoded as typeof connect).clientId, "old-device");
  // What follows on an MQTT 3.1 connection decodes as 3.1.1 does: no properties.
  assert.deepEqual(decoder.push(encode({ type: "puback", packetId: 3 }, { version: 3 })), [
    { type: "puback", packetId: 3, reasonCode: 0 },
  ]);
});

Deno.test("MQTT 3.1 requires level 3 after MQIsdp", () => {
  const bytes = encode({ type: "connect", clientId: "x", cleanStart: true, keepAlive: 0 }, {
    version: 3,
  });
  bytes[10] = 4;
  assert.throws(() => new Decoder({ version: 4 }).push(bytes), /protocol level is not 4/);
});

Deno.test("a 3.1.1 CONNACK with return code 1 read as MQTT 5 is reported as 0x84, not as malformed", () => {
  assert.throws(
    () => new Decoder({ version: 5 }).push(new Uint8Array([0x20, 0x02, 0x00, 0x01])),
    (error: Error & { reasonCode?: number }) =>
      error.reasonCode === 0x84 && /does not support MQTT 5/.test(error.message),
  );
});
