// The core without I/O or clocks: links are arrays, time is a number.
import assert from "node:assert/strict";
import { Decoder, type Packet } from "@tern/codec";
import { BrokerCore } from "./_core.ts";
import { resolveLimits } from "./limits.ts";
import type { ClientConnection } from "./_client.ts";
import { bytes, publish } from "./testdata/helpers.ts";

function harness() {
  const core = new BrokerCore({ limits: resolveLimits() });
  const open = (clientId: string, connect: Partial<Packet & { type: "connect" }> = {}, now = 0) => {
    const written: Packet[] = [];
    const decoder = new Decoder({ version: 5 });
    const state = { closed: false };
    const client: ClientConnection = core.open({
      backlog: 0,
      write: (chunk) => written.push(...decoder.push(chunk)),
      close: () => void (state.closed = true),
    }, "test");
    client.version = 5;
    client.connect(
      { type: "connect", clientId, cleanStart: true, keepAlive: 0, ...connect },
      { accepted: true },
      now,
    );
    return { client, written, state };
  };
  return { core, open };
}

Deno.test("BrokerCore publishes a delayed will when tick() reaches its time, not before", () => {
  const { core, open } = harness();
  const watcher = open("watcher");
  watcher.client.receive({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "w", qos: 0 }],
  }, 0);
  const dying = open("dying", {
    will: {
      topic: "w",
      payload: bytes("bye"),
      qos: 0,
      retain: false,
      properties: { willDelayInterval: 10 },
    },
    properties: { sessionExpiryInterval: 60 },
  });
  dying.client.closed(1000);
  assert.equal(core.nextDeadline(), 11_000);
  core.tick(10_999);
  assert.equal(watcher.written.filter((p) => p.type === "publish").length, 0);
  core.tick(11_000);
  assert.equal(watcher.written.filter((p) => p.type === "publish").length, 1);
  assert.equal(core.nextDeadline(), 61_000); // the session's expiry is still ahead
  core.tick(61_000);
  assert.equal(core.sessions.has("dying"), false);
  assert.equal(core.nextDeadline(), undefined);
});

Deno.test("BrokerCore sends the remaining message expiry computed from the now it is given", () => {
  const { open } = harness();
  const sub = open("sub", { properties: { sessionExpiryInterval: 60 } });
  sub.client.receive({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "e", qos: 1 }],
  }, 0);
  sub.client.closed(0);
  const pub = open("pub");
  pub.client.receive(
    publish("e", "m", { qos: 1, packetId: 1, properties: { messageExpiryInterval: 30 } }),
    0,
  );
  const again = open(
    "sub",
    { cleanStart: false, properties: { sessionExpiryInterval: 60 } },
    12_000,
  );
  const message = again.written.find((p) => p.type === "publish");
  assert.ok(message?.type === "publish");
  assert.equal(message.properties?.messageExpiryInterval, 18);
});
