// Random and mutated bytes: only the codec's own errors may escape, nothing hangs, and
// memory stays bounded by maxPacketSize whatever the bytes claim.
import assert from "node:assert/strict";
import { Decoder, encode, MalformedPacketError, ProtocolError } from "./mod.ts";
import type { Packet, ProtocolVersion } from "./packet.ts";
import { Random } from "./testdata/random.ts";
import { randomPacket } from "./testdata/random_packets.ts";

const BUFFERS = 100_000;
const MAX_PACKET_SIZE = 4096;
const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 0x23, 0x2b, 0xc0, 0xed, 0xf4];

function mutate(random: Random, input: Uint8Array, corpus: Uint8Array[]): Uint8Array {
  const bytes = [...input];
  const rounds = random.int(1, 4);
  for (let r = 0; r < rounds; r++) {
    const at = random.int(0, Math.max(0, bytes.length - 1));
    switch (random.int(0, 6)) {
      case 0:
        bytes[at] ^= 1 << random.int(0, 7);
        break;
      case 1:
        bytes[at] = random.pick(INTERESTING);
        break;
      case 2:
        bytes.splice(at, 0, random.int(0, 255));
        break;
      case 3:
        bytes.splice(at, random.int(1, 4));
        break;
      case 4:
        bytes.length = at;
        break;
      case 5:
        bytes.push(...random.pick(corpus));
        break;
      default:
        // A remaining length claiming far more than is there (or than is allowed).
        bytes.splice(1, 0, 0xff, 0xff, 0xff);
    }
  }
  return new Uint8Array(bytes);
}

// A packet that is as large as it claims, and larger than the decoder's initial memory:
// buffering it would grow the memory, so refusing it from its header is observable.
function oversized(random: Random): Uint8Array {
  const remaining = random.int(300_000, 2_000_000);
  const bytes = new Uint8Array(5 + remaining);
  bytes.set([0x30, (remaining & 0x7f) | 0x80, ((remaining >> 7) & 0x7f) | 0x80, remaining >> 14]);
  return bytes;
}

for (const version of [4, 5] as ProtocolVersion[]) {
  Deno.test(`Decoder survives ${BUFFERS / 2} random and mutated v${version} buffers with only codec errors and bounded memory`, () => {
    const seed = 0xf022 + version;
    const random = new Random(seed);
    const corpus = Array.from(
      { length: 500 },
      () => encode(randomPacket(random, version), { version }),
    );
    const decoder = new Decoder({ version, maxPacketSize: MAX_PACKET_SIZE });
    // Every buffer is a few KiB at most: one or two pages hold any of them.
    const memoryBound = 2 * 65536;
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < BUFFERS / 2; i++) {
      const buffer = random.chance(0.001)
        ? oversized(random)
        : random.chance(0.1)
        ? random.bytes(random.int(0, 200))
        : mutate(random, random.pick(corpus), corpus);
      decoder.reset();
      decoder.version = version;
      try {
        // In one to three pieces, so partial headers and bodies are exercised too.
        const cut = random.int(0, buffer.length);
        const packets: Packet[] = [
          ...decoder.push(buffer.subarray(0, cut)),
          ...decoder.push(buffer.subarray(cut)),
        ];
        assert.ok(decoder.pendingBytes < MAX_PACKET_SIZE);
        // Whatever was accepted is a valid packet: it encodes and decodes to itself.
        for (const packet of packets) {
          const again = new Decoder({ version: decoder.version }).push(
            encode(packet, { version: decoder.version }),
          );
          assert.deepEqual(again, [packet], `buffer ${i} (seed ${seed})`);
        }
        decoded += packets.length;
      } catch (error) {
        if (!(error instanceof MalformedPacketError || error instanceof ProtocolError)) {
          throw new Error(`buffer ${i} (seed ${seed}) threw a foreign error`, { cause: error });
        }
        rejected++;
      }
      // Only a packet of at most MAX_PACKET_SIZE is ever buffered, whatever the header claims.
      assert.ok(decoder.memoryBytes <= memoryBound, `memory grew to ${decoder.memoryBytes}`);
    }
    assert.ok(decoded > 1000 && rejected > 1000, `decoded ${decoded}, rejected ${rejected}`);
  });
}
