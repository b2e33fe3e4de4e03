import assert from "node:assert/strict";
import type { SubscriptionBroker } from "./broker.ts";
import type { Message } from "./message.ts";
import { SubscriptionManager } from "./subscription_manager.ts";

const broker: SubscriptionBroker = {
  subscribe: (subscription) => Promise.resolve(subscription.qos),
  unsubscribe: () => Promise.resolve(0),
};

function message(n: number, qos: 0 | 1 | 2 = 1): Message {
  return { topic: "t", payload: new Uint8Array([n]), qos, retain: false };
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Dispatches `messages` with an onTaken that records each message's number. */
function dispatchAll(manager: SubscriptionManager, messages: Message[], taken: number[]): void {
  for (const m of messages) manager.dispatch(m, () => taken.push(m.payload[0]));
}

Deno.test("dispatch() takes QoS 1 messages inside the buffer at once and the rest as room frees, dropping none", async () => {
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("t", { qos: 1, bufferSize: 2 });
  await subscription.ready;
  const taken: number[] = [];
  dispatchAll(manager, [1, 2, 3, 4, 5].map((n) => message(n)), taken);
  assert.deepEqual(taken, [1, 2]);
  const got: number[] = [];
  for await (const m of subscription) {
    got.push(m.payload[0]);
    if (got.length === 5) break;
  }
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  assert.deepEqual(taken, [1, 2, 3, 4, 5]);
  assert.equal(subscription.dropped, 0);
});

Deno.test("a QoS 0 message into a full buffer drops the oldest QoS 0 one, never a QoS 1 message, and is counted", async () => {
  const dropped: number[] = [];
  const manager = new SubscriptionManager({
    broker,
    onDrop: (m, subscription) => {
      assert.equal(subscription.topicFilter, "t");
      dropped.push(m.payload[0]);
    },
  });
  const subscription = manager.subscribe("t", { qos: 1, bufferSize: 2 });
  await subscription.ready;
  const taken: number[] = [];
  dispatchAll(manager, [message(1), message(2, 0), message(3, 0), message(4)], taken);
  // 3 found the buffer full (1, 2): 2 went. 4 waits past the buffer, unacknowledged.
  assert.deepEqual(dropped, [2]);
  assert.deepEqual(taken, [1]);
  dispatchAll(manager, [message(5, 0)], taken);
  // Nothing droppable but 3 and the new message: 3 is the oldest QoS 0.
  assert.deepEqual(dropped, [2, 3]);
  assert.equal(subscription.dropped, 2);
  assert.equal(manager.dropped, 2);
  const got: number[] = [];
  for await (const m of subscription) {
    got.push(m.payload[0]);
    if (got.length === 3) break;
  }
  assert.deepEqual(got, [1, 4, 5]);
  assert.deepEqual(taken, [1, 4]);
});

Deno.test("with drop-newest a QoS 0 message into a full buffer is the one dropped", async () => {
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("t", { bufferSize: 1, overflow: "drop-newest" });
  await subscription.ready;
  manager.dispatch(message(1, 0));
  manager.dispatch(message(2, 0));
  assert.equal(subscription.dropped, 1);
  assert.equal((await subscription.next()).value?.payload[0], 1);
  await subscription.unsubscribe();
});

Deno.test("ack handled takes a message once its handler finished, even when it threw", async () => {
  const errors: unknown[] = [];
  const contexts: (number | undefined)[] = [];
  const manager = new SubscriptionManager({
    broker,
    onError: (error, context) => {
      errors.push(error);
      contexts.push(context?.message?.payload[0]);
    },
  });
  const release = Promise.withResolvers<void>();
  const subscription = manager.subscribe("t", {
    qos: 2,
    ack: "handled",
    handler: async (m) => {
      if (m.payload[0] === 1) await release.promise;
      if (m.payload[0] === 2) throw new Error("boom");
    },
  });
  await subscription.ready;
  const taken: number[] = [];
  dispatchAll(manager, [message(1, 2), message(2, 2), message(3, 2)], taken);
  await settle();
  assert.deepEqual(taken, []);
  release.resolve();
  await settle();
  assert.deepEqual(taken, [1, 2, 3]);
  assert.equal(errors.length, 1);
  assert.deepEqual(contexts, [2]);
  await subscription.unsubscribe();
});

Deno.test("ack handled on an iterator takes a message when the loop asks for the next", async () => {
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("t", { qos: 1, ack: "handled" });
  await subscription.ready;
  const taken: number[] = [];
  dispatchAll(manager, [message(1), message(2)], taken);
  await subscription.next();
  assert.deepEqual(taken, []);
  await subscription.next();
  assert.deepEqual(taken, [1]);
  await subscription.return!();
  assert.deepEqual(taken, [1, 2]);
});

Deno.test("ack manual takes each message on its ack(), in whatever order, once", async () => {
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("t", { qos: 1, ack: "manual" });
  await subscription.ready;
  const taken: number[] = [];
  dispatchAll(manager, [message(1), message(2), message(3), message(4, 0)], taken);
  const got: Message[] = [];
  for (let i = 0; i < 4; i++) got.push((await subscription.next()).value!);
  assert.deepEqual(taken, []);
  got[2].ack!();
  got[2].ack!();
  got[0].ack!();
  got[3].ack!(); // QoS 0: a no-op
  assert.deepEqual(taken, [3, 1]);
  // Ending the subscription releases what it still held.
  await subscription.unsubscribe();
  assert.deepEqual(taken, [3, 1, 2]);
});

Deno.test("a message matching two subscriptions is taken once both took it", async () => {
  const manager = new SubscriptionManager({ broker });
  const fast = manager.subscribe("t", { qos: 1 });
  const slow = manager.subscribe("#", { qos: 1, ack: "manual" });
  await Promise.all([fast.ready, slow.ready]);
  const taken: number[] = [];
  assert.equal(manager.dispatch(message(1), () => taken.push(1)), 2);
  assert.deepEqual(taken, []);
  (await slow.next()).value!.ack!();
  assert.deepEqual(taken, [1]);
  await fast.unsubscribe();
  await slow.unsubscribe();
});

Deno.test("dispatch() does not call onTaken when no subscriber took the message", () => {
  const manager = new SubscriptionManager({ broker });
  let taken = false;
  assert.equal(manager.dispatch(message(1), () => taken = true), 0);
  assert.equal(taken, false);
  assert.equal(manager.unmatched, 1);
});

Deno.test("subscribe() rejects an unknown ack mode", () => {
  const manager = new SubscriptionManager({ broker });
  assert.throws(
    () => manager.subscribe("t", { ack: "later" as "manual" }),
    /Cannot subscribe to "t": ack must be one of buffered, handled, manual/,
  );
});
