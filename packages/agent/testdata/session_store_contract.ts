/**
 * The behaviour every {@linkcode SessionStore} must show, as tests that any implementation
 * registers with its own factory (memory and SQLite run the same list).
 */
import assert from "node:assert/strict";
import type { PublishPacket, QoS } from "@tern/codec";
import type { OutboundEntry, SessionStore } from "../session_store.ts";

/** A QoS 1 / 2 publish with a payload that names its packet id. */
export function publish(packetId: number, qos: QoS = 1): PublishPacket {
  return {
    type: "publish",
    topic: `t/${packetId}`,
    payload: new TextEncoder().encode(`message ${packetId}`),
    qos,
    retain: false,
    dup: false,
    packetId,
  };
}

/** An entry awaiting its acknowledgement. */
export function entry(packetId: number, qos: QoS = 1): OutboundEntry {
  return { packetId, state: "awaitingAck", packet: publish(packetId, qos) };
}

/** Registers the contract tests for the store made by `make`. */
export function testSessionStore(name: string, make: () => SessionStore): void {
  const test = (title: string, fn: (store: SessionStore) => void) =>
    Deno.test(`${name} ${title}`, () => {
      const store = make();
      try {
        fn(store);
      } finally {
        store.close();
      }
    });

  test("returns nothing for an unknown client", (store) => {
    assert.deepEqual(store.outbound("nobody"), []);
    assert.deepEqual(store.inboundReceived("nobody"), []);
  });

  test("returns outbound entries in the order they were first added", (store) => {
    for (const id of [7, 3, 65535, 1, 42]) store.putOutbound("c", entry(id, 2));
    assert.deepEqual(store.outbound("c").map((e) => e.packetId), [7, 3, 65535, 1, 42]);
  });

  test("keeps an entry's place when its state changes", (store) => {
    for (const id of [5, 6, 7]) store.putOutbound("c", entry(id, 2));
    store.putOutbound("c", { ...entry(5, 2), state: "released" });
    const entries = store.outbound("c");
    assert.deepEqual(entries.map((e) => [e.packetId, e.state]), [
      [5, "released"],
      [6, "awaitingAck"],
      [7, "awaitingAck"],
    ]);
  });

  test("puts a reused packet id at the end once its old entry was deleted", (store) => {
    for (const id of [1, 2, 3]) store.putOutbound("c", entry(id));
    store.deleteOutbound("c", 1);
    store.putOutbound("c", entry(1));
    assert.deepEqual(store.outbound("c").map((e) => e.packetId), [2, 3, 1]);
  });

  test("gives back the packet as stored, every field", (store) => {
    const packet: PublishPacket = {
      type: "publish",
      topic: "a/b",
      payload: new Uint8Array([0, 255, 1, 128]),
      qos: 2,
      retain: true,
      dup: false,
      packetId: 9,
      properties: {
        payloadFormatIndicator: 0,
        messageExpiryInterval: 60,
        topicAlias: 3,
        responseTopic: "reply/to",
        correlationData: new Uint8Array([9, 8, 7]),
        userProperties: [["k", "v"], ["k", "w"]],
        contentType: "application/octet-stream",
      },
    };
    store.putOutbound("c", { packetId: 9, state: "awaitingAck", packet });
    const [back] = store.outbound("c");
    assert.deepEqual(back, { packetId: 9, state: "awaitingAck", packet });
  });

  test("does not change when the caller reuses its payload buffer", (store) => {
    const stored = entry(1);
    store.putOutbound("c", stored);
    stored.packet.payload.fill(0);
    stored.state = "released";
    const [back] = store.outbound("c");
    assert.equal(new TextDecoder().decode(back.packet.payload), "message 1");
    assert.equal(back.state, "awaitingAck");
  });

  test("deletes only the acknowledged entry", (store) => {
    for (const id of [1, 2, 3]) store.putOutbound("c", entry(id));
    store.deleteOutbound("c", 2);
    store.deleteOutbound("c", 99);
    assert.deepEqual(store.outbound("c").map((e) => e.packetId), [1, 3]);
  });

  test("keeps the sessions of different clients apart", (store) => {
    store.putOutbound("a", entry(1));
    store.putOutbound("b", entry(2));
    store.putInboundReceived("a", 10);
    store.clear("b");
    assert.deepEqual(store.outbound("a").map((e) => e.packetId), [1]);
    assert.deepEqual(store.outbound("b"), []);
    assert.deepEqual(store.inboundReceived("a"), [10]);
  });

  test("records inbound QoS 2 packet ids once each until released", (store) => {
    store.putInboundReceived("c", 4);
    store.putInboundReceived("c", 2);
    store.putInboundReceived("c", 4);
    assert.deepEqual([...store.inboundReceived("c")].sort((x, y) => x - y), [2, 4]);
    store.deleteInboundReceived("c", 4);
    assert.deepEqual(store.inboundReceived("c"), [2]);
  });

  test("clear() forgets outbound and inbound state of one client", (store) => {
    store.putOutbound("c", entry(1));
    store.putInboundReceived("c", 1);
    store.clear("c");
    assert.deepEqual(store.outbound("c"), []);
    assert.deepEqual(store.inboundReceived("c"), []);
  });

  test("rejects packet ids outside 1 to 65535", (store) => {
    assert.throws(() => store.putOutbound("c", entry(0)), RangeError);
    assert.throws(() => store.putInboundReceived("c", 65536), /packet id must be 1 to 65535/);
    assert.throws(() => store.deleteOutbound("c", 1.5), TypeError);
  });

  test("rejects an entry that is not a stored QoS 1 / 2 flow", (store) => {
    assert.throws(
      () => store.putOutbound("c", { ...entry(1), packet: { ...publish(1), qos: 0 } }),
      /only QoS 1 and 2 publishes are stored, got QoS 0/,
    );
    assert.throws(
      () => store.putOutbound("c", { ...entry(1), state: "released" }),
      /only a QoS 2 publish can be released/,
    );
    assert.throws(
      () => store.putOutbound("c", { ...entry(1), packetId: 2 }),
      /entry packet id 2 differs from the packet's 1/,
    );
    assert.throws(
      () => store.putOutbound("c", { ...entry(1), state: "sent" as "released" }),
      /state must be "awaitingAck" or "released", got sent/,
    );
    assert.deepEqual(store.outbound("c"), []);
  });

  test("rejects a client id that is not a string", (store) => {
    assert.throws(() => store.outbound(7 as unknown as string), /client id must be a string/);
  });

  Deno.test(`${name} throws a clear error once closed`, () => {
    const store = make();
    store.close();
    store.close();
    assert.throws(() => store.outbound("c"), /the session store is closed/);
  });
}
