import assert from "node:assert/strict";
import { MemoryStore } from "./memory_store.ts";
import { InboundFlows } from "./_inbound_flows.ts";

Deno.test("a QoS 2 message is new until recorded, then a duplicate until released", () => {
  const flows = new InboundFlows(10, undefined, "c");
  assert.equal(flows.receive(7), "new");
  flows.record(7);
  assert.equal(flows.receive(7), "duplicate");
  assert.equal(flows.release(7), true);
  assert.equal(flows.release(7), false);
  assert.equal(flows.receive(7), "new");
});

Deno.test("one flow past the client's Receive Maximum is a violation with 0x93", () => {
  const flows = new InboundFlows(2, undefined, "c");
  flows.record(1);
  flows.record(2);
  assert.equal(flows.receive(1), "duplicate");
  assert.deepEqual(flows.receive(3), {
    violation: "The server exceeded the client's Receive Maximum of 2",
    reasonCode: 0x93,
  });
});

Deno.test("flows are kept in the store under the current client id and restored from it", () => {
  const store = new MemoryStore();
  const flows = new InboundFlows(10, store, "old");
  flows.clientId = "assigned";
  flows.record(4);
  flows.record(5);
  flows.release(4);
  assert.deepEqual([...store.inboundReceived("assigned")], [5]);
  const restored = new InboundFlows(10, store, "assigned");
  assert.equal(restored.receive(5), "duplicate");
  restored.clear();
  assert.equal(restored.receive(5), "new");
});
