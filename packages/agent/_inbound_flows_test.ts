import assert from "node:assert/strict";
import type { PublishAckPacket } from "@tern/codec";
import type { InboundDelivery } from "./session_types.ts";
import { MemoryStore } from "./memory_store.ts";
import { InboundFlows } from "./_inbound_flows.ts";

function delivery(verdict: ReturnType<InboundFlows["arrive"]>): InboundDelivery {
  assert.ok(typeof verdict === "object" && !("violation" in verdict), "a new message");
  return verdict;
}

function sink() {
  const sent: string[] = [];
  return { sent, send: (p: PublishAckPacket) => sent.push(`${p.type} ${p.packetId}`) };
}

Deno.test("acknowledgements leave in arrival order, each once its message is taken", () => {
  const flows = new InboundFlows(10, undefined, "c");
  const { sent, send } = sink();
  const a = delivery(flows.arrive(1, 1));
  const b = delivery(flows.arrive(2, 2));
  const c = delivery(flows.arrive(3, 1));
  flows.take(c, send);
  flows.take(b, send);
  assert.deepEqual(sent, []);
  assert.equal(flows.heldCount, 3);
  flows.take(a, send);
  assert.deepEqual(sent, ["puback 1", "pubrec 2", "puback 3"]);
  assert.equal(flows.heldCount, 0);
});

Deno.test("a QoS 2 message is handed over once until released; its resend gets PUBREC again in its turn", () => {
  const flows = new InboundFlows(10, undefined, "c");
  const { sent, send } = sink();
  flows.take(delivery(flows.arrive(7, 2)), send);
  assert.equal(flows.arrive(7, 2), "again");
  flows.flush(send);
  assert.deepEqual(sent, ["pubrec 7", "pubrec 7"]);
  assert.equal(flows.release(7), true);
  assert.equal(flows.release(7), false);
  delivery(flows.arrive(7, 2));
});

Deno.test("held messages and open QoS 2 flows together stay within the client's Receive Maximum (0x93)", () => {
  const flows = new InboundFlows(2, undefined, "c");
  const { send } = sink();
  flows.take(delivery(flows.arrive(1, 2)), send); // open until PUBREL
  delivery(flows.arrive(2, 1)); // held
  assert.deepEqual(flows.arrive(3, 1), {
    violation: "The server exceeded the client's Receive Maximum of 2",
    reasonCode: 0x93,
  });
  flows.release(1);
  delivery(flows.arrive(3, 1));
});

Deno.test("a message held across a reconnect is not handed over again, and is acknowledged when the resend arrives", () => {
  const flows = new InboundFlows(10, undefined, "c");
  const { sent, send } = sink();
  const held = delivery(flows.arrive(4, 1));
  const taken = delivery(flows.arrive(5, 1));
  flows.connectionLost();
  flows.take(taken, send);
  assert.deepEqual(sent, [], "nothing is sent while disconnected");
  assert.equal(flows.arrive(4, 1), "again");
  assert.equal(flows.arrive(5, 1), "again");
  flows.flush(send);
  assert.deepEqual(sent, [], "5 waits behind 4");
  flows.take(held, send);
  assert.deepEqual(sent, ["puback 4", "puback 5"]);
  // Packet id 4 is free again: a new message.
  delivery(flows.arrive(4, 1));
});

Deno.test("when the server lost the session, nothing held is waited for", () => {
  const flows = new InboundFlows(10, undefined, "c");
  const { sent, send } = sink();
  const held = delivery(flows.arrive(4, 1));
  flows.connectionLost();
  flows.clear();
  assert.equal(flows.heldCount, 0);
  delivery(flows.arrive(4, 1));
  flows.take(held, send);
  assert.deepEqual(sent, []);
});

Deno.test("QoS 2 flows are kept in the store under the current client id and restored from it", () => {
  const store = new MemoryStore();
  const flows = new InboundFlows(10, store, "old");
  const { send } = sink();
  flows.clientId = "assigned";
  flows.take(delivery(flows.arrive(4, 2)), send);
  flows.take(delivery(flows.arrive(5, 2)), send);
  flows.release(4);
  assert.deepEqual([...store.inboundReceived("assigned")], [5]);
  const restored = new InboundFlows(10, store, "assigned");
  assert.equal(restored.arrive(5, 2), "again");
  restored.clear();
  delivery(restored.arrive(5, 2));
});
