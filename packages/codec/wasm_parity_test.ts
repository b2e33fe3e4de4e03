// The reason-code and property tables exist twice: in TypeScript, which the encoder checks
// against (_packet_types.ts, _properties.ts), and in AssemblyScript, which the decoder runs
// (codec-wasm/assembly/). These tests run the WebAssembly decoder over every reason code and
// every property identifier in every packet and compare what it accepts with the TypeScript
// tables, so that a change to either side alone fails here.
import assert from "node:assert/strict";
import { ConnectReturnCode, Decoder, MalformedPacketError, ProtocolError } from "./mod.ts";
import type { Packet, ProtocolVersion } from "./mod.ts";
import { VALID_REASON_CODES, VALID_SUBACK_V4_CODES } from "./_packet_types.ts";
import {
  PROPERTIES_BY_ID,
  PROPERTIES_OF,
  type PropertyDefinition,
  SUBSCRIPTION_IDENTIFIER,
} from "./_properties.ts";

function varint(value: number): number[] {
  const bytes = [];
  do {
    bytes.push((value & 0x7f) | (value >= 0x80 ? 0x80 : 0));
    value >>>= 7;
  } while (value > 0);
  return bytes;
}

function frame(firstByte: number, body: number[]): Uint8Array {
  return new Uint8Array([firstByte, ...varint(body.length), ...body]);
}

// The packet, or the error the decoder threw for it.
function decodeOne(bytes: Uint8Array, version: ProtocolVersion): Packet | Error {
  try {
    const packets = new Decoder({ version }).push(bytes);
    assert.equal(packets.length, 1);
    return packets[0];
  } catch (error) {
    if (error instanceof MalformedPacketError || error instanceof ProtocolError) return error;
    throw error;
  }
}

const REASON_PACKETS: [
  kind: string,
  version: ProtocolVersion,
  bytes: (code: number) => Uint8Array,
][] = [
  ["connack", 5, (code) => frame(0x20, [0x00, code, 0x00])],
  ["puback", 5, (code) => frame(0x40, [0x00, 0x01, code, 0x00])],
  ["pubrec", 5, (code) => frame(0x50, [0x00, 0x01, code, 0x00])],
  ["pubrel", 5, (code) => frame(0x62, [0x00, 0x01, code, 0x00])],
  ["pubcomp", 5, (code) => frame(0x70, [0x00, 0x01, code, 0x00])],
  ["suback", 5, (code) => frame(0x90, [0x00, 0x01, 0x00, code])],
  ["unsuback", 5, (code) => frame(0xb0, [0x00, 0x01, 0x00, code])],
  ["disconnect", 5, (code) => frame(0xe0, [code, 0x00])],
  ["auth", 5, (code) => frame(0xf0, [code, 0x00])],
  ["connack", 4, (code) => frame(0x20, [0x00, code])],
  ["suback", 4, (code) => frame(0x90, [0x00, 0x01, code])],
];

function allowedReasonCodes(kind: string, version: ProtocolVersion): ReadonlySet<number> {
  if (version === 4) {
    return kind === "suback"
      ? VALID_SUBACK_V4_CODES
      : new Set<number>(Object.values(ConnectReturnCode));
  }
  return VALID_REASON_CODES.get(kind)!;
}

for (const [kind, version, bytes] of REASON_PACKETS) {
  const mqtt = version === 5 ? "MQTT 5" : "MQTT 3.1.1";
  Deno.test(`the decoder accepts exactly the ${mqtt} ${kind.toUpperCase()} reason codes of the TypeScript table`, () => {
    const allowed = allowedReasonCodes(kind, version);
    const accepted: number[] = [];
    for (let code = 0; code < 256; code++) {
      const result = decodeOne(bytes(code), version);
      if (result instanceof Error) {
        assert.match(result.message, /reason code is not allowed in this packet/);
        continue;
      }
      accepted.push(code);
      const got = "reasonCodes" in result
        ? result.reasonCodes[0]
        : (result as { reasonCode: number }).reasonCode;
      assert.equal(got, code);
    }
    assert.deepEqual(accepted, [...allowed].sort((x, y) => x - y));
  });
}

// Bytes of a property block holding `property` with a value of its kind, and the value the
// decoder should give back for it.
function sample(property: PropertyDefinition): [bytes: number[], value: unknown] {
  switch (property.kind) {
    case "byte":
      return [[0x01], 1];
    case "flag":
      return [[0x01], true];
    case "u16":
      return [[0x00, 0x01], 1];
    case "u32":
      return [[0x00, 0x00, 0x00, 0x01], 1];
    case "varint":
      return [[0x01], 1];
    case "string":
      return [[0x00, 0x01, 0x61], "a"];
    case "binary":
      return [[0x00, 0x01, 0x07], new Uint8Array([0x07])];
    case "pair":
      return [[0x00, 0x01, 0x6b, 0x00, 0x01, 0x76], [["k", "v"]]];
  }
}

const MQTT = [0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05];
// Where each kind of packet carries its property block `p` (varint length included), and
// how to find the decoded properties.
const PROPERTY_PACKETS: [kind: string, bytes: (p: number[]) => Uint8Array][] = [
  ["connect", (p) => frame(0x10, [...MQTT, 0x02, 0x00, 0x00, ...p, 0x00, 0x01, 0x63])],
  [
    "will",
    (p) =>
      frame(0x10, [
        ...MQTT,
        0x06,
        0x00,
        0x00,
        0x00,
        0x00,
        0x01,
        0x63,
        ...p,
        0x00,
        0x01,
        0x74,
        0x00,
        0x00,
      ]),
  ],
  ["connack", (p) => frame(0x20, [0x00, 0x00, ...p])],
  ["publish", (p) => frame(0x30, [0x00, 0x01, 0x74, ...p])],
  ["puback", (p) => frame(0x40, [0x00, 0x01, 0x00, ...p])],
  ["pubrec", (p) => frame(0x50, [0x00, 0x01, 0x00, ...p])],
  ["pubrel", (p) => frame(0x62, [0x00, 0x01, 0x00, ...p])],
  ["pubcomp", (p) => frame(0x70, [0x00, 0x01, 0x00, ...p])],
  ["subscribe", (p) => frame(0x82, [0x00, 0x01, ...p, 0x00, 0x01, 0x74, 0x00])],
  ["suback", (p) => frame(0x90, [0x00, 0x01, ...p, 0x00])],
  ["unsubscribe", (p) => frame(0xa2, [0x00, 0x01, ...p, 0x00, 0x01, 0x74])],
  ["unsuback", (p) => frame(0xb0, [0x00, 0x01, ...p, 0x00])],
  ["disconnect", (p) => frame(0xe0, [0x00, ...p])],
  ["auth", (p) => frame(0xf0, [0x00, ...p])],
];

function propertiesOf(packet: Packet, kind: string): unknown {
  if (kind === "will") return packet.type === "connect" ? packet.will?.properties : undefined;
  return (packet as { properties?: unknown }).properties;
}

Deno.test("the property tables list every kind of packet the decoder reads properties in", () => {
  assert.deepEqual(
    PROPERTY_PACKETS.map(([kind]) => kind).sort(),
    [...PROPERTIES_OF.keys()].sort(),
  );
});

for (const [kind, bytes] of PROPERTY_PACKETS) {
  Deno.test(`the decoder accepts exactly the ${kind} properties of the TypeScript table, with their names and types`, () => {
    const allowed = PROPERTIES_OF.get(kind)!;
    const accepted: number[] = [];
    for (let id = 0; id < 256; id++) {
      const property = PROPERTIES_BY_ID.get(id);
      const [value, expected] = property ? sample(property) : [[], undefined];
      const block = [id, ...value];
      const result = decodeOne(bytes([...varint(block.length), ...block]), 5);
      if (result instanceof Error) {
        assert.match(result.message, /property is not allowed in this packet/, `property ${id}`);
        continue;
      }
      accepted.push(id);
      assert.ok(property, `the decoder accepts property ${id}, which TypeScript does not know`);
      const key = kind === "publish" && property === SUBSCRIPTION_IDENTIFIER
        ? "subscriptionIdentifiers"
        : property.name;
      assert.deepEqual(propertiesOf(result, kind), {
        [key]: key === "subscriptionIdentifiers" ? [expected] : expected,
      });
    }
    assert.deepEqual(accepted, allowed.map((property) => property.id).sort((x, y) => x - y));
  });
}
