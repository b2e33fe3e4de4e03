import assert from "node:assert/strict";
import type { SubscribePacket } from "@tern/codec";
import { ActiveSubscriptions } from "./_active_subscriptions.ts";

const subscribe = (filters: string[], subscriptionIdentifier?: number): SubscribePacket => ({
  type: "subscribe",
  packetId: 1,
  subscriptions: filters.map((topicFilter) => ({ topicFilter, qos: 1 })),
  properties: subscriptionIdentifier === undefined ? undefined : { subscriptionIdentifier },
});

Deno.test("granted filters are active, refused and unsubscribed ones are not", () => {
  const active = new ActiveSubscriptions();
  active.track({ type: "suback", packetId: 1, reasonCodes: [1, 0x80] }, subscribe(["a", "b"]));
  assert.equal(active.size, 1);
  active.track({ type: "suback", packetId: 2, reasonCodes: [0] }, subscribe(["c"]));
  active.track(
    { type: "unsuback", packetId: 3, reasonCodes: [0] },
    { type: "unsubscribe", packetId: 3, topicFilters: ["a"] },
  );
  assert.deepEqual(
    active.restoreCommands().map((c) => c.packet.type === "subscribe" && c.packet.subscriptions),
    [[{ topicFilter: "c", qos: 1 }]],
  );
});

Deno.test("restoreCommands() makes one SUBSCRIBE per set of properties, for no caller", () => {
  const active = new ActiveSubscriptions();
  active.track({ type: "suback", packetId: 1, reasonCodes: [1, 1] }, subscribe(["a", "b"], 7));
  active.track({ type: "suback", packetId: 2, reasonCodes: [1] }, subscribe(["c"]));
  const commands = active.restoreCommands();
  assert.deepEqual(commands.map((c) => [c.id, c.size, c.cancelled]), [[0, 4, false], [
    0,
    2,
    false,
  ]]);
  assert.deepEqual(commands[0].packet, {
    type: "subscribe",
    packetId: 0,
    subscriptions: [{ topicFilter: "a", qos: 1 }, { topicFilter: "b", qos: 1 }],
    properties: { subscriptionIdentifier: 7 },
  });
  active.clear();
  assert.deepEqual(active.restoreCommands(), []);
});
