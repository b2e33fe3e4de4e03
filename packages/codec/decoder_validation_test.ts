import assert from "node:assert/strict";
import { Decoder, encode, MalformedPacketError, ProtocolError } from "./mod.ts";
import type { ProtocolVersion } from "./packet.ts";
import { mqttPacketErrorCases } from "./testdata/mqtt_packet_cases.ts";

const utf8 = (text: string) => [...new TextEncoder().encode(text)];

/** A PUBLISH (QoS 0) whose topic is `topic` bytes, with MQTT 5 `properties` bytes. */
function publish(topic: number[], properties: number[] | undefined = undefined): number[] {
  const body = [topic.length >> 8, topic.length & 0xff, ...topic];
  if (properties) body.push(properties.length, ...properties);
  body.push(0x78); // payload "x"
  return [0x30, body.length, ...body];
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

function decodeFailure(bytes: number[], version: ProtocolVersion, maxPacketSize?: number) {
  const decoder = new Decoder({ version, maxPacketSize });
  try {
    decoder.push(new Uint8Array(bytes));
    decoder.end();
  } catch (error) {
    return error as MalformedPacketError | ProtocolError;
  }
  assert.fail(`decoded ${JSON.stringify(bytes)} without an error`);
}

interface Case {
  name: string;
  bytes: number[];
  version: ProtocolVersion;
  error: typeof MalformedPacketError | typeof ProtocolError;
  reasonCode: number;
  /** Text the message must contain: the field and the byte offset. */
  message: string;
}

const CASES: Case[] = [
  {
    name: "reserved fixed header flags",
    bytes: [0x41, 0x02, 0x00, 0x01],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message:
      "PUBACK: reserved fixed header flags are not as the specification requires (fixed header at byte 0",
  },
  {
    name: "PUBREL without its 0010 flags",
    bytes: [0x60, 0x02, 0x00, 0x01],
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "PUBREL: reserved fixed header flags",
  },
  {
    name: "QoS 3 in PUBLISH",
    bytes: [0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "PUBLISH: QoS is 3 (fixed header at byte 0",
  },
  {
    name: "DUP on a QoS 0 PUBLISH",
    bytes: [0x38, 0x04, 0x00, 0x01, 0x61, 0x00],
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "PUBLISH: DUP is set on a QoS 0 message (fixed header at byte 0",
  },
  {
    name: "remaining length over 4 bytes",
    bytes: [0x30, 0xff, 0xff, 0xff, 0xff, 0x01],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "remaining length is longer than 4 bytes (fixed header at byte 4",
  },
  {
    name: "malformed UTF-8",
    bytes: publish([0x61, 0xc3, 0x28]),
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "string is not valid UTF-8 (topic name at byte 5",
  },
  {
    name: "truncated UTF-8 sequence",
    bytes: publish([0x61, 0xe2, 0x82]),
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "string is not valid UTF-8 (topic name at byte 5",
  },
  {
    name: "overlong two-byte UTF-8",
    bytes: publish([0xc0, 0xaf]),
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "overlong UTF-8 sequence (topic name at byte 4",
  },
  {
    name: "overlong three-byte UTF-8",
    bytes: publish([0x61, 0xe0, 0x80, 0xaf]),
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "overlong UTF-8 sequence (topic name at byte 5",
  },
  {
    name: "overlong four-byte UTF-8",
    bytes: publish([0xf0, 0x80, 0x80, 0xaf]),
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "overlong UTF-8 sequence",
  },
  {
    name: "code point above U+10FFFF",
    bytes: publish([0xf4, 0x90, 0x80, 0x80]),
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "string is not valid UTF-8",
  },
  {
    name: "U+0000 in a string",
    bytes: publish([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x00]),
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "string contains U+0000 (topic name at byte 13",
  },
  {
    name: "an encoded surrogate",
    bytes: publish([0x61, 0xed, 0xa0, 0x80]),
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "surrogate (U+D800 to U+DFFF) (topic name at byte 5",
  },
  {
    name: "U+0000 in a user property",
    bytes: publish(utf8("a"), [0x26, 0x00, 0x01, 0x00, 0x00, 0x00]),
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "string contains U+0000 (user property name at byte 9",
  },
  {
    name: "a + wildcard in a PUBLISH topic",
    bytes: publish(utf8("sensors/+/t")),
    version: 4,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "topic name contains a wildcard (+ or #) (topic name at byte 12",
  },
  {
    name: "a # wildcard in a PUBLISH topic",
    bytes: publish(utf8("sensors/#")),
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "topic name contains a wildcard (+ or #) (topic name at byte 12",
  },
  {
    name: "an empty topic in MQTT 3.1.1",
    bytes: publish([]),
    version: 4,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "topic name is empty and there is no topic alias (topic name at byte 2",
  },
  {
    name: "an empty topic without a topic alias",
    bytes: publish([], [0x02, 0, 0, 0, 10]),
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "topic name is empty and there is no topic alias (topic name at byte 2",
  },
  {
    name: "packet identifier 0 in a QoS 1 PUBLISH",
    bytes: [0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00],
    version: 4,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "PUBLISH: packet identifier is 0 (packet identifier at byte 5",
  },
  {
    name: "packet identifier 0 in SUBSCRIBE",
    bytes: [0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 0x61, 0x00],
    version: 4,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "SUBSCRIBE: packet identifier is 0 (packet identifier at byte 2",
  },
  {
    name: "packet identifier 0 in PUBACK",
    bytes: [0x40, 0x02, 0x00, 0x00],
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "PUBACK: packet identifier is 0",
  },
  {
    name: "a duplicate once-only property",
    bytes: publish(utf8("a"), [0x03, 0x00, 0x01, 0x61, 0x03, 0x00, 0x01, 0x62]),
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "property appears more than once (property contentType (0x03) at byte 10",
  },
  {
    name: "a duplicate Subscription Identifier in SUBSCRIBE",
    bytes: [0x82, 0x0b, 0x00, 0x01, 0x04, 0x0b, 0x01, 0x0b, 0x02, 0x00, 0x01, 0x61, 0x00],
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "property appears more than once (property subscriptionIdentifier (0x0b) at byte 7",
  },
  {
    name: "a property not allowed in the packet",
    bytes: publish(utf8("a"), [0x11, 0, 0, 0, 1]),
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message:
      "property is not allowed in this packet (property sessionExpiryInterval (0x11) at byte 6",
  },
  {
    name: "an unknown property",
    bytes: [0xe0, 0x04, 0x00, 0x02, 0x7e, 0x01],
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "DISCONNECT: property is not allowed in this packet (property 0x7e at byte 4",
  },
  {
    name: "properties longer than the packet",
    bytes: [0xe0, 0x03, 0x00, 0x05, 0x01],
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "field runs past the end of the packet (properties at byte 3",
  },
  {
    name: "Topic Alias 0",
    bytes: publish(utf8("a"), [0x23, 0x00, 0x00]),
    version: 5,
    error: ProtocolError,
    reasonCode: 0x94,
    message: "topic alias is 0 (property topicAlias (0x23) at byte 6",
  },
  {
    name: "Payload Format Indicator 2",
    bytes: publish(utf8("a"), [0x01, 0x02]),
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message:
      "property has a value the specification forbids (property payloadFormatIndicator (0x01)",
  },
  {
    name: "Subscription Identifier 0",
    bytes: publish(utf8("a"), [0x0b, 0x00]),
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "subscription identifier is 0",
  },
  {
    name: "SUBSCRIBE without a topic filter",
    bytes: [0x82, 0x02, 0x00, 0x01],
    version: 4,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "SUBSCRIBE: no topic filter (topic filter at byte 4",
  },
  {
    name: "UNSUBSCRIBE without a topic filter",
    bytes: [0xa2, 0x03, 0x00, 0x01, 0x00],
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "UNSUBSCRIBE: no topic filter (topic filter at byte 5",
  },
  {
    name: "an empty topic filter",
    bytes: [0xa2, 0x04, 0x00, 0x01, 0x00, 0x00],
    version: 4,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "UNSUBSCRIBE: topic filter is empty (topic filter at byte 4",
  },
  {
    name: "reserved subscription option bits in MQTT 3.1.1",
    bytes: [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x04],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "reserved subscription option bits are set (subscription options at byte 7",
  },
  {
    name: "reserved subscription option bits in MQTT 5",
    bytes: [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x40],
    version: 5,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "reserved subscription option bits are set (subscription options at byte 8",
  },
  {
    name: "Retain Handling 3",
    bytes: [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x30],
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "retain handling is 3",
  },
  {
    name: "QoS 3 in subscription options",
    bytes: [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x03],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "SUBSCRIBE: QoS is 3 (subscription options at byte 7",
  },
  {
    name: "bytes after the last field",
    bytes: [0xc0, 0x01, 0x00],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "PINGREQ: unexpected bytes after the last field",
  },
  {
    name: "AUTH in MQTT 3.1.1",
    bytes: [0xf0, 0x00],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "AUTH: reserved packet type",
  },
  {
    name: "a reason code not allowed in the packet",
    bytes: [0x40, 0x03, 0x00, 0x01, 0x92],
    version: 5,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "PUBACK: reason code is not allowed in this packet (reason code at byte 4",
  },
  {
    name: "a CONNECT with an unknown protocol name",
    bytes: [0x10, 0x0c, 0x00, 0x04, ...utf8("MQTX"), 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00],
    version: 4,
    error: ProtocolError,
    reasonCode: 0x84,
    message: 'CONNECT: protocol name is neither "MQTT" nor "MQIsdp" (MQTT 3.1)',
  },
  {
    name: "a CONNECT with protocol level 3",
    bytes: [0x10, 0x0c, 0x00, 0x04, ...utf8("MQTT"), 0x03, 0x02, 0x00, 0x3c, 0x00, 0x00],
    version: 4,
    error: ProtocolError,
    reasonCode: 0x84,
    message:
      'protocol level is not 4 (MQTT 3.1.1) or 5 (MQTT 5.0) after "MQTT", 3 after "MQIsdp" (variable header at byte 8',
  },
  {
    name: "a CONNECT with the reserved flag set",
    bytes: [0x10, 0x0c, 0x00, 0x04, ...utf8("MQTT"), 0x04, 0x03, 0x00, 0x3c, 0x00, 0x00],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "reserved connect flag is set (variable header at byte 9",
  },
  {
    name: "a CONNECT with will QoS but no will",
    bytes: [0x10, 0x0c, 0x00, 0x04, ...utf8("MQTT"), 0x04, 0x0a, 0x00, 0x3c, 0x00, 0x00],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "will QoS or will retain is set without a will",
  },
  {
    name: "an MQTT 3.1.1 CONNECT with a password but no user name",
    bytes: [
      0x10,
      0x0f,
      0x00,
      0x04,
      ...utf8("MQTT"),
      0x04,
      0x42,
      0x00,
      0x3c,
      0x00,
      0x00,
      0x00,
      0x01,
      0x70,
    ],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message: "password flag is set without a user name",
  },
  {
    name: "a CONNACK with reserved flags",
    bytes: [0x20, 0x02, 0x02, 0x00],
    version: 4,
    error: MalformedPacketError,
    reasonCode: 0x81,
    message:
      "CONNACK: reserved connect acknowledge flags are set (connect acknowledge flags at byte 2",
  },
  {
    name: "an MQTT 3.1.1 CONNACK return code above 5",
    bytes: [0x20, 0x02, 0x00, 0x06],
    version: 4,
    error: ProtocolError,
    reasonCode: 0x82,
    message: "CONNACK: reason code is not allowed in this packet",
  },
];

for (const c of CASES) {
  Deno.test(`Decoder rejects ${c.name}, naming the field and byte offset`, () => {
    const error = decodeFailure(c.bytes, c.version);
    assert.ok(error instanceof c.error, `${error.name}: ${error.message}`);
    assert.equal(error.reasonCode, c.reasonCode, error.message);
    assert.ok(error.message.includes(c.message), `message was: ${error.message}`);
    assert.equal(typeof error.offset, "number");
  });
}

Deno.test("Decoder refuses a packet over maxPacketSize from its fixed header, before buffering it", () => {
  const decoder = new Decoder({ version: 5, maxPacketSize: 100 });
  // Only the fixed header of a 104-byte PUBLISH has arrived.
  const error = thrown(() => decoder.push(new Uint8Array([0x30, 0xe5, 0x00])));
  assert.ok(error instanceof MalformedPacketError);
  assert.equal(error.reasonCode, 0x95);
  assert.match(error.message, /larger than the maximum packet size/);
});

Deno.test("Decoder accepts a packet of exactly maxPacketSize", () => {
  const bytes = encode(
    { type: "publish", topic: "a", payload: new Uint8Array(95), qos: 0, retain: false, dup: false },
    { version: 4 },
  );
  assert.equal(bytes.length, 100);
  assert.equal(new Decoder({ version: 4, maxPacketSize: 100 }).push(bytes).length, 1);
});

Deno.test("Decoder reports error offsets counted from the start of the stream", () => {
  const decoder = new Decoder({ version: 4 });
  assert.equal(decoder.push(new Uint8Array([0xc0, 0x00, 0xc0])).length, 1);
  const error = thrown(() => decoder.push(new Uint8Array([0x01, 0x00])));
  assert.ok(error instanceof MalformedPacketError);
  assert.equal(error.offset, 4);
  assert.match(
    error.message,
    /unexpected bytes after the last field \(fixed header at byte 2 of the packet starting at byte 2 of the stream/,
  );
});

Deno.test("Decoder throws the same error on every push after a failure", () => {
  const decoder = new Decoder({ version: 4 });
  const first = thrown(() => decoder.push(new Uint8Array([0x00, 0x00])));
  const second = thrown(() => decoder.push(new Uint8Array([0xc0, 0x00])));
  assert.equal(second, first);
});

Deno.test("Decoder.end() throws when the stream ends inside a packet", () => {
  const decoder = new Decoder({ version: 4 });
  decoder.push(new Uint8Array([0x30, 0x05, 0x00]));
  assert.equal(decoder.pendingBytes, 3);
  assert.throws(() => decoder.end(), MalformedPacketError);
  const clean = new Decoder({ version: 4 });
  clean.push(new Uint8Array([0xc0, 0x00]));
  clean.end();
});

Deno.test("Decoder accepts the short forms of MQTT 5 acknowledgements, DISCONNECT and AUTH", () => {
  const decoder = new Decoder({ version: 5 });
  assert.deepEqual(
    decoder.push(
      new Uint8Array([
        ...[0x40, 0x02, 0x00, 0x01], // PUBACK without reason code
        ...[0x50, 0x03, 0x00, 0x02, 0x10], // PUBREC with a reason code, no property length
        ...[0x62, 0x04, 0x00, 0x03, 0x00, 0x00], // PUBREL with an empty property length
        ...[0xe0, 0x00], // DISCONNECT with nothing
        ...[0xe0, 0x01, 0x04], // DISCONNECT with a reason code only
        ...[0xf0, 0x00], // AUTH with nothing
      ]),
    ),
    [
      { type: "puback", packetId: 1, reasonCode: 0 },
      { type: "pubrec", packetId: 2, reasonCode: 0x10 },
      { type: "pubrel", packetId: 3, reasonCode: 0 },
      { type: "disconnect", reasonCode: 0 },
      { type: "disconnect", reasonCode: 4 },
      { type: "auth", reasonCode: 0 },
    ],
  );
});

Deno.test("Decoder switches to the protocol level a CONNECT declares", () => {
  const decoder = new Decoder({ version: 4 });
  const connect = encode({ type: "connect", clientId: "c", cleanStart: true, keepAlive: 0 }, {
    version: 5,
  });
  const publish = encode({
    type: "publish",
    topic: "t",
    payload: new Uint8Array([1]),
    qos: 0,
    retain: false,
    dup: false,
    properties: { contentType: "x" },
  }, { version: 5 });
  const packets = decoder.push(new Uint8Array([...connect, ...publish]));
  assert.equal(decoder.version, 5);
  assert.deepEqual(packets[1], {
    type: "publish",
    topic: "t",
    payload: new Uint8Array([1]),
    qos: 0,
    retain: false,
    dup: false,
    properties: { contentType: "x" },
  });
});

Deno.test("Decoder.version can be set once the version is known", () => {
  const decoder = new Decoder({ version: 4 });
  decoder.version = 5;
  assert.deepEqual(decoder.push(new Uint8Array([0xf0, 0x00])), [{ type: "auth", reasonCode: 0 }]);
  assert.throws(() => (decoder.version = 6 as ProtocolVersion), RangeError);
});

Deno.test("new Decoder() rejects a bad version or maxPacketSize", () => {
  assert.throws(() => new Decoder({ version: 6 as ProtocolVersion }), RangeError);
  assert.throws(() => new Decoder({ version: 4, maxPacketSize: 1 }), RangeError);
  assert.throws(() => new Decoder({ version: 4, maxPacketSize: 268_435_461 }), RangeError);
});

const cases = mqttPacketErrorCases();

Deno.test("mqtt-packet's test suite has invalid-input cases to replay", () => {
  assert.ok(cases.length >= 50, `found ${cases.length}`);
});

for (const c of cases) {
  Deno.test(`Decoder rejects mqtt-packet's invalid input "${c.expected}" (test.js line ${c.line})`, () => {
    const error = decodeFailure([...c.fixture], c.protocolVersion === 5 ? 5 : 4);
    assert.ok(error instanceof MalformedPacketError || error instanceof ProtocolError);
  });
}
