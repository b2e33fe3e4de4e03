import assert from "node:assert/strict";
import { encode, encodeAll, encodeInto, PacketWriter } from "./mod.ts";
import type { Packet, ProtocolVersion, PublishPacket } from "./packet.ts";

function publish(fields: Partial<PublishPacket> = {}): PublishPacket {
  return {
    type: "publish",
    topic: "a/b",
    payload: new Uint8Array(0),
    qos: 0,
    retain: false,
    dup: false,
    ...fields,
  };
}

interface Case {
  name: string;
  packet: Packet;
  version: ProtocolVersion;
  error: typeof TypeError | typeof RangeError;
  message: string;
}

const CASES: Case[] = [
  {
    name: "a + wildcard in a PUBLISH topic",
    packet: publish({ topic: "a/+/c" }),
    version: 4,
    error: TypeError,
    message: 'Cannot encode PUBLISH topic name: topic name contains a wildcard "+"',
  },
  {
    name: "a # wildcard in a will topic",
    packet: {
      type: "connect",
      clientId: "c",
      cleanStart: true,
      keepAlive: 0,
      will: { topic: "a/#", payload: new Uint8Array(0), qos: 0, retain: false },
    },
    version: 5,
    error: TypeError,
    message: 'Cannot encode CONNECT will topic: topic name contains a wildcard "#"',
  },
  {
    name: "an empty topic in MQTT 3.1.1",
    packet: publish({ topic: "" }),
    version: 4,
    error: TypeError,
    message: "topic name is empty and there is no topic alias",
  },
  {
    name: "an empty topic without a topic alias",
    packet: publish({ topic: "", properties: { contentType: "x" } }),
    version: 5,
    error: TypeError,
    message: "topic name is empty and there is no topic alias",
  },
  {
    name: "U+0000 in a string",
    packet: publish({ topic: "a\u0000b" }),
    version: 4,
    error: TypeError,
    message: "Cannot encode PUBLISH topic name: contains U+0000 at index 1",
  },
  {
    name: "an unpaired high surrogate",
    packet: publish({ topic: "a\ud800" }),
    version: 4,
    error: TypeError,
    message: "unpaired UTF-16 surrogate 0xd800 at index 1",
  },
  {
    name: "an unpaired low surrogate",
    packet: publish({ properties: { contentType: "\udc00x" } }),
    version: 5,
    error: TypeError,
    message: "Cannot encode PUBLISH contentType: unpaired UTF-16 surrogate 0xdc00 at index 0",
  },
  {
    name: "a string over 65,535 bytes",
    packet: publish({ topic: "é".repeat(32768) }),
    version: 4,
    error: RangeError,
    message: "Cannot encode PUBLISH topic name: 65536 bytes of UTF-8, the limit is 65535",
  },
  {
    name: "binary data over 65,535 bytes",
    packet: publish({ properties: { correlationData: new Uint8Array(65536) } }),
    version: 5,
    error: RangeError,
    message: "Cannot encode PUBLISH correlationData: 65536 bytes, the limit is 65535",
  },
  {
    name: "QoS 3",
    packet: publish({ qos: 3 as 0 }),
    version: 4,
    error: RangeError,
    message: "Cannot encode PUBLISH QoS: expected an integer from 0 to 2, got 3",
  },
  {
    name: "a QoS 1 PUBLISH without a packet identifier",
    packet: publish({ qos: 1 }),
    version: 4,
    error: RangeError,
    message: "PUBLISH packet identifier: expected an integer from 1 to 65535, got undefined",
  },
  {
    name: "packet identifier 0",
    packet: { type: "puback", packetId: 0 },
    version: 5,
    error: RangeError,
    message: "PUBACK packet identifier: expected an integer from 1 to 65535, got 0",
  },
  {
    name: "DUP on a QoS 0 PUBLISH",
    packet: publish({ dup: true }),
    version: 4,
    error: TypeError,
    message: "DUP is set on a QoS 0 message",
  },
  {
    name: "SUBSCRIBE without topic filters",
    packet: { type: "subscribe", packetId: 1, subscriptions: [] },
    version: 4,
    error: TypeError,
    message: "Cannot encode SUBSCRIBE: no topic filter",
  },
  {
    name: "UNSUBSCRIBE without topic filters",
    packet: { type: "unsubscribe", packetId: 1, topicFilters: [] },
    version: 5,
    error: TypeError,
    message: "Cannot encode UNSUBSCRIBE: no topic filter",
  },
  {
    name: "an empty topic filter",
    packet: { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "", qos: 0 }] },
    version: 4,
    error: TypeError,
    message: "topic filter is empty",
  },
  {
    name: "Retain Handling 3",
    packet: {
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "a", qos: 0, retainHandling: 3 as 0 }],
    },
    version: 5,
    error: RangeError,
    message: "SUBSCRIBE retain handling",
  },
  {
    name: "Topic Alias 0",
    packet: publish({ properties: { topicAlias: 0 } }),
    version: 5,
    error: RangeError,
    message: "Cannot encode PUBLISH topicAlias: expected an integer from 1 to 65535, got 0",
  },
  {
    name: "Receive Maximum 0",
    packet: {
      type: "connect",
      clientId: "c",
      cleanStart: true,
      keepAlive: 0,
      properties: { receiveMaximum: 0 },
    },
    version: 5,
    error: RangeError,
    message: "CONNECT receiveMaximum",
  },
  {
    name: "Subscription Identifier over 268,435,455",
    packet: {
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "a", qos: 0 }],
      properties: { subscriptionIdentifier: 268435456 },
    },
    version: 5,
    error: RangeError,
    message: "SUBSCRIBE subscriptionIdentifier",
  },
  {
    name: "a reason code not allowed in the packet",
    packet: { type: "puback", packetId: 1, reasonCode: 0x92 },
    version: 5,
    error: RangeError,
    message: "Cannot encode PUBACK reason code: 0x92 is not allowed in PUBACK",
  },
  {
    name: "an MQTT 3.1.1 SUBACK return code",
    packet: { type: "suback", packetId: 1, reasonCodes: [0x87] },
    version: 4,
    error: RangeError,
    message: "0x87 is not allowed in SUBACK",
  },
  {
    name: "AUTH in MQTT 3.1.1",
    packet: { type: "auth", reasonCode: 0 },
    version: 4,
    error: TypeError,
    message: "Cannot encode AUTH: MQTT 3.1.1 has no AUTH packet",
  },
  {
    name: "an MQTT 3.1.1 password without a user name",
    packet: {
      type: "connect",
      clientId: "c",
      cleanStart: true,
      keepAlive: 0,
      password: new Uint8Array(1),
    },
    version: 4,
    error: TypeError,
    message: "MQTT 3.1.1 has no password without a user name",
  },
  {
    name: "a keep-alive over 65,535",
    packet: { type: "connect", clientId: "c", cleanStart: true, keepAlive: 65536 },
    version: 4,
    error: RangeError,
    message: "Cannot encode CONNECT keep alive",
  },
  {
    name: "an unknown packet type",
    packet: { type: "publsh" } as unknown as Packet,
    version: 4,
    error: TypeError,
    message: 'Cannot encode packet: unknown type "publsh"',
  },
];

for (const c of CASES) {
  Deno.test(`encode() rejects ${c.name}`, () => {
    assert.throws(() => encode(c.packet, { version: c.version }), (error: Error) => {
      assert.ok(error instanceof c.error, `${error.name}: ${error.message}`);
      assert.ok(error.message.includes(c.message), `message was: ${error.message}`);
      return true;
    });
  });
}

Deno.test("encode() rejects a packet over 268,435,455 bytes after the fixed header", () => {
  // Zero-filled memory is mapped lazily: this costs no real 256 MiB.
  const payload = new Uint8Array(268_435_456);
  assert.throws(
    () => encode(publish({ payload }), { version: 4 }),
    /Cannot encode PUBLISH: 268435461 bytes after the fixed header, the limit is 268435455/,
  );
});

Deno.test("encode() rejects a protocol version other than 3, 4 or 5", () => {
  assert.throws(() => encode({ type: "pingreq" }, { version: 2 as 4 }), RangeError);
  assert.throws(() => new PacketWriter({ version: 6 as 5 }), RangeError);
});

Deno.test("encode() leaves MQTT 5-only fields out of MQTT 3.1.1 packets", () => {
  assert.deepEqual(
    encode(publish({ properties: { contentType: "x" } }), { version: 4 }),
    encode(publish(), { version: 4 }),
  );
  assert.deepEqual(
    [...encode({ type: "puback", packetId: 1, reasonCode: 0x10 }, { version: 4 })],
    [0x40, 0x02, 0x00, 0x01],
  );
});

Deno.test("encode() writes the shortest MQTT 5 acknowledgement", () => {
  assert.deepEqual([...encode({ type: "puback", packetId: 1 }, { version: 5 })], [
    0x40,
    0x02,
    0x00,
    0x01,
  ]);
  assert.deepEqual(
    [...encode({ type: "pubrec", packetId: 1, reasonCode: 0x10 }, { version: 5 })],
    [0x50, 0x03, 0x00, 0x01, 0x10],
  );
});

Deno.test("encode() writes an empty topic with a topic alias in MQTT 5", () => {
  const bytes = encode(publish({ topic: "", properties: { topicAlias: 1 } }), { version: 5 });
  assert.deepEqual([...bytes], [0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01]);
});

Deno.test("encode() writes multi-byte remaining lengths", () => {
  for (const size of [127, 128, 16383, 16384, 2097151, 2097152]) {
    const bytes = encode(publish({ topic: "t", payload: new Uint8Array(size - 3) }), {
      version: 4,
    });
    assert.equal(
      bytes.length,
      size + 1 + (size < 128 ? 1 : size < 16384 ? 2 : size < 2097152 ? 3 : 4),
    );
  }
});

Deno.test("encodeAll() accepts any iterable of packets", () => {
  function* pings(): Generator<Packet> {
    yield { type: "pingreq" };
    yield { type: "pingresp" };
  }
  assert.deepEqual([...encodeAll(pings(), { version: 4 })], [0xc0, 0x00, 0xd0, 0x00]);
});

Deno.test("encodeInto() writes the same bytes as encode() where it fits, and nothing where it does not", () => {
  const packet = publish({
    topic: "sensors/1",
    payload: new Uint8Array([1, 2, 3]),
    qos: 1,
    packetId: 9,
    properties: { topicAlias: 4, userProperties: [["k", "v"]], messageExpiryInterval: 60 },
  });
  const expected = encode(packet, { version: 5 });
  const target = new Uint8Array(expected.length + 3).fill(0xee);
  assert.equal(encodeInto(packet, { version: 5 }, target, 3), expected.length);
  assert.deepEqual(target.subarray(3), expected);
  const small = new Uint8Array(expected.length - 1).fill(0xee);
  assert.equal(encodeInto(packet, { version: 5 }, small, 0), expected.length);
  assert.ok(small.every((byte) => byte === 0xee));
});

Deno.test("encodeInto() refuses a bad offset or packet before writing anything", () => {
  const target = new Uint8Array(16).fill(0xee);
  assert.throws(
    () => encodeInto({ type: "pingreq" }, { version: 4 }, target, 17),
    /offset must be an integer from 0 to 16, got 17/,
  );
  assert.throws(
    () => encodeInto({ type: "puback", packetId: 0 }, { version: 4 }, target, 0),
    /PUBACK packet identifier: expected an integer from 1 to 65535, got 0/,
  );
  assert.throws(
    () => encodeInto(publish({ properties: { topicAlias: 0 } }), { version: 5 }, target, 0),
    /PUBLISH topicAlias: expected an integer from 1 to 65535, got 0/,
  );
  assert.ok(target.every((byte) => byte === 0xee));
});

Deno.test("encode() writes properties in one order whatever the order of their keys", () => {
  const forward = publish({
    properties: {
      payloadFormatIndicator: 1,
      messageExpiryInterval: 5,
      topicAlias: 2,
      responseTopic: "r",
      correlationData: new Uint8Array([7]),
      userProperties: [["a", "b"]],
      contentType: "text/plain",
    },
  });
  const backward = publish({
    properties: {
      contentType: "text/plain",
      userProperties: [["a", "b"]],
      correlationData: new Uint8Array([7]),
      responseTopic: "r",
      topicAlias: 2,
      messageExpiryInterval: 5,
      payloadFormatIndicator: 1,
    },
  });
  const bytes = encode(forward, { version: 5 });
  assert.deepEqual(encode(backward, { version: 5 }), bytes);
  // Property identifiers in the specification's order: 0x01, 0x02, 0x23, 0x08, 0x09, 0x26, 0x03.
  const ids = [0x01, 0x02, 0x23, 0x08, 0x09, 0x26, 0x03];
  const at = ids.map((id) => bytes.indexOf(id, 8));
  assert.deepEqual([...at].sort((a, b) => a - b), at);
});
