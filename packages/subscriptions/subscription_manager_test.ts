import assert from "node:assert/strict";
import type { BrokerSubscription, SubscriptionBroker } from "./broker.ts";
import { SubscriptionOverflowError, SubscriptionRefusedError } from "./errors.ts";
import type { Message } from "./message.ts";
import { SubscriptionManager } from "./subscription_manager.ts";

/** A broker side that records every call and answers with `answer` (granted QoS by default). */
function recordingBroker(answer: (s: BrokerSubscription) => number = (s) => s.qos) {
  const calls: string[] = [];
  const requests: BrokerSubscription[] = [];
  const broker: SubscriptionBroker = {
    subscribe: (subscription) => {
      calls.push(`SUBSCRIBE ${subscription.topicFilter} qos ${subscription.qos}`);
      requests.push(subscription);
      return Promise.resolve(answer(subscription));
    },
    unsubscribe: (topicFilter) => {
      calls.push(`UNSUBSCRIBE ${topicFilter}`);
      return Promise.resolve(0);
    },
  };
  return { broker, calls, requests };
}

function message(topic: string, extra: Partial<Message> = {}): Message {
  return { topic, payload: new TextEncoder().encode(topic), qos: 0, retain: false, ...extra };
}

/** Lets every queued promise callback and microtask run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("SubscriptionManager makes the broker subscription on the first subscriber and removes it after the last", async () => {
  const { broker, calls } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const a = manager.subscribe("sensors/#");
  await a.ready;
  const b = manager.subscribe("sensors/#");
  await b.ready;
  assert.deepEqual(calls, ["SUBSCRIBE sensors/# qos 0"]);
  await a.unsubscribe();
  assert.deepEqual(calls, ["SUBSCRIBE sensors/# qos 0"]);
  assert.equal(manager.activeSubscriptions().length, 1);
  await b.unsubscribe();
  assert.deepEqual(calls, ["SUBSCRIBE sensors/# qos 0", "UNSUBSCRIBE sensors/#"]);
  assert.deepEqual(manager.activeSubscriptions(), []);
});

Deno.test("SubscriptionManager re-subscribes only when a new subscriber asks for a higher QoS", async () => {
  const { broker, calls } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const low = manager.subscribe("a/+", { qos: 0 });
  assert.equal(await low.ready, 0);
  const high = manager.subscribe("a/+", { qos: 2 });
  assert.equal(await high.ready, 2);
  const middle = manager.subscribe("a/+", { qos: 1 });
  assert.equal(await middle.ready, 2);
  assert.deepEqual(calls, ["SUBSCRIBE a/+ qos 0", "SUBSCRIBE a/+ qos 2"]);
  assert.equal(manager.activeSubscriptions()[0].qos, 2);
  for (const subscription of [low, high, middle]) await subscription.unsubscribe();
  assert.deepEqual(calls.at(-1), "UNSUBSCRIBE a/+");
});

Deno.test("SubscriptionManager resolves ready with the QoS the broker granted", async () => {
  const { broker } = recordingBroker(() => 1);
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("a", { qos: 2 });
  assert.equal(await subscription.ready, 1);
  await subscription.unsubscribe();
});

Deno.test("SubscriptionManager sends an unsubscribe and a subscribe of one filter in call order", async () => {
  const { broker, calls } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const first = manager.subscribe("x");
  await first.ready;
  const leaving = first.unsubscribe();
  const second = manager.subscribe("x", { qos: 1 });
  await Promise.all([leaving, second.ready]);
  assert.deepEqual(calls, ["SUBSCRIBE x qos 0", "UNSUBSCRIBE x", "SUBSCRIBE x qos 1"]);
  assert.deepEqual(manager.activeSubscriptions().map((s) => s.qos), [1]);
  await second.unsubscribe();
  assert.deepEqual(calls.at(-1), "UNSUBSCRIBE x");
});

Deno.test("SubscriptionManager rejects ready and ends the iterator when the broker refuses", async () => {
  const { broker, calls } = recordingBroker((s) => s.topicFilter === "secret/#" ? 0x87 : s.qos);
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("secret/#");
  await assert.rejects(subscription.ready, (error: SubscriptionRefusedError) => {
    assert.ok(error instanceof SubscriptionRefusedError);
    assert.equal(error.reasonCode, 0x87);
    assert.equal(
      error.message,
      'Cannot subscribe to "secret/#": the broker answered with reason code 0x87',
    );
    return true;
  });
  await assert.rejects(subscription.next(), SubscriptionRefusedError);
  assert.deepEqual(await subscription.next(), { done: true, value: undefined });
  assert.equal(subscription.closed, true);
  await settle();
  assert.deepEqual(manager.activeSubscriptions(), []);
  assert.equal(manager.dispatch(message("secret/x")), 0);
  assert.deepEqual(calls, ["SUBSCRIBE secret/# qos 0"]);
});

Deno.test("SubscriptionManager passes a broker-side failure to ready and forgets the filter", async () => {
  const manager = new SubscriptionManager({
    broker: {
      subscribe: () => Promise.reject(new Error("Connection closed")),
      unsubscribe: () => Promise.resolve(0),
    },
  });
  const subscription = manager.subscribe("a");
  await assert.rejects(subscription.ready, { message: "Connection closed" });
  await settle();
  assert.equal(manager.dispatch(message("a")), 0);
});

Deno.test("SubscriptionManager unsubscribes when a for await loop is left", async () => {
  const { broker, calls } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("t/#");
  await subscription.ready;
  manager.dispatch(message("t/1"));
  manager.dispatch(message("t/2"));
  const topics: string[] = [];
  for await (const received of subscription) {
    topics.push(received.topic);
    if (topics.length === 2) break;
  }
  assert.deepEqual(topics, ["t/1", "t/2"]);
  assert.equal(subscription.closed, true);
  await settle();
  assert.deepEqual(calls, ["SUBSCRIBE t/# qos 0", "UNSUBSCRIBE t/#"]);
  assert.equal(manager.dispatch(message("t/3")), 0);
});

Deno.test("SubscriptionManager resolves a waiting next() when a message arrives", async () => {
  const { broker } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("t");
  const waiting = subscription.next();
  manager.dispatch(message("t"));
  assert.equal((await waiting).value?.topic, "t");
  await subscription.unsubscribe();
});

Deno.test("overflow drop-oldest keeps the newest messages and counts the dropped ones", async () => {
  const { broker } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("n/+", { bufferSize: 3 });
  for (let i = 1; i <= 5; i++) manager.dispatch(message(`n/${i}`));
  assert.equal(subscription.dropped, 2);
  const topics = [];
  for (let i = 0; i < 3; i++) topics.push((await subscription.next()).value?.topic);
  assert.deepEqual(topics, ["n/3", "n/4", "n/5"]);
  await subscription.unsubscribe();
});

Deno.test("overflow drop-newest keeps the oldest messages and counts the dropped ones", async () => {
  const { broker } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("n/+", { bufferSize: 3, overflow: "drop-newest" });
  for (let i = 1; i <= 5; i++) manager.dispatch(message(`n/${i}`));
  assert.equal(subscription.dropped, 2);
  const topics = [];
  for (let i = 0; i < 3; i++) topics.push((await subscription.next()).value?.topic);
  assert.deepEqual(topics, ["n/1", "n/2", "n/3"]);
  await subscription.unsubscribe();
});

Deno.test("overflow error delivers the buffered messages, then throws and unsubscribes", async () => {
  const { broker, calls } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("n/+", { bufferSize: 2, overflow: "error" });
  await subscription.ready;
  for (let i = 1; i <= 4; i++) manager.dispatch(message(`n/${i}`));
  assert.equal(subscription.closed, true);
  const topics: string[] = [];
  await assert.rejects(async () => {
    for await (const received of subscription) topics.push(received.topic);
  }, (error: Error) => {
    assert.ok(error instanceof SubscriptionOverflowError);
    assert.equal(error.message, 'Subscription to "n/+" overflowed: 2 messages buffered');
    return true;
  });
  assert.deepEqual(topics, ["n/1", "n/2"]);
  await settle();
  assert.deepEqual(calls, ["SUBSCRIBE n/+ qos 0", "UNSUBSCRIBE n/+"]);
});

Deno.test("dispatch() never waits for a slow handler, and other subscribers keep receiving", async () => {
  const { broker } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  let release!: () => void;
  const blocked = new Promise<void>((resolve) => release = resolve);
  const slowSeen: string[] = [];
  const slow = manager.subscribe("s/#", {
    bufferSize: 2,
    handler: (received) => {
      slowSeen.push(received.topic);
      return blocked;
    },
  });
  const fast = manager.subscribe("s/#", { bufferSize: 100 });
  assert.equal(manager.dispatch(message("s/1")), 2);
  // The handler runs later, never inside dispatch().
  assert.deepEqual(slowSeen, []);
  await settle();
  assert.deepEqual(slowSeen, ["s/1"]);
  for (let i = 2; i <= 10; i++) assert.equal(manager.dispatch(message(`s/${i}`)), 2);
  await settle();
  assert.deepEqual(slowSeen, ["s/1"]);
  for (let i = 1; i <= 10; i++) assert.equal((await fast.next()).value?.topic, `s/${i}`);
  // s/1 is in the handler; of the nine others, the two newest wait in the buffer.
  assert.equal(slow.dropped, 7);
  release();
  await settle();
  assert.deepEqual(slowSeen, ["s/1", "s/9", "s/10"]);
  await slow.unsubscribe();
  await fast.unsubscribe();
});

Deno.test("a handler subscription calls its handler one message at a time, in order", async () => {
  const { broker } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const log: string[] = [];
  const subscription = manager.subscribe("o/+", {
    handler: async (received) => {
      log.push(`start ${received.topic}`);
      await Promise.resolve();
      log.push(`end ${received.topic}`);
    },
  });
  manager.dispatch(message("o/1"));
  manager.dispatch(message("o/2"));
  await settle();
  assert.deepEqual(log, ["start o/1", "end o/1", "start o/2", "end o/2"]);
  await subscription.unsubscribe();
});

Deno.test("a throwing handler is reported to onError and keeps receiving", async () => {
  const { broker } = recordingBroker();
  const errors: unknown[] = [];
  const manager = new SubscriptionManager({ broker, onError: (error) => errors.push(error) });
  const seen: string[] = [];
  const subscription = manager.subscribe("h", {
    handler: (received) => {
      seen.push(received.topic);
      if (seen.length === 1) throw new Error("handler failed");
    },
  });
  manager.dispatch(message("h"));
  manager.dispatch(message("h"));
  await settle();
  assert.equal(seen.length, 2);
  assert.deepEqual(errors.map((e) => (e as Error).message), ["handler failed"]);
  await subscription.unsubscribe();
});

Deno.test("a handler subscription that overflows with policy error reports it to onError", async () => {
  const { broker } = recordingBroker();
  const errors: unknown[] = [];
  const manager = new SubscriptionManager({ broker, onError: (error) => errors.push(error) });
  const seen: string[] = [];
  const subscription = manager.subscribe("h/+", {
    bufferSize: 1,
    overflow: "error",
    handler: (received) => void seen.push(received.topic),
  });
  manager.dispatch(message("h/1"));
  manager.dispatch(message("h/2"));
  await settle();
  assert.deepEqual(seen, ["h/1"]);
  assert.equal(subscription.closed, true);
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof SubscriptionOverflowError);
});

Deno.test("SubscriptionManager routes by subscription identifier when the message carries them", async () => {
  const { broker, requests } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const all = manager.subscribe("a/#");
  const one = manager.subscribe("a/b");
  await Promise.all([all.ready, one.ready]);
  const idOf = (filter: string) =>
    requests.find((r) => r.topicFilter === filter)!.subscriptionIdentifier;
  assert.notEqual(idOf("a/#"), idOf("a/b"));
  // Overlapping subscriptions: the broker sent one copy per subscription.
  const forOne = message("a/b", { properties: { subscriptionIdentifiers: [idOf("a/b")] } });
  assert.equal(manager.dispatch(forOne), 1);
  assert.equal((await one.next()).value, forOne);
  // One copy carrying both identifiers reaches both, once each.
  const both = { subscriptionIdentifiers: [idOf("a/#"), idOf("a/b"), idOf("a/b")] };
  assert.equal(manager.dispatch(message("a/b", { properties: both })), 2);
  // An identifier whose filter does not match the topic (left from an earlier session) is ignored.
  const stale = { subscriptionIdentifiers: [idOf("a/b")] };
  assert.equal(manager.dispatch(message("a/c", { properties: stale })), 0);
  assert.equal(
    manager.dispatch(message("a/b", { properties: { subscriptionIdentifiers: [999] } })),
    0,
  );
  assert.equal(manager.unmatched, 2);
  await all.unsubscribe();
  await one.unsubscribe();
});

Deno.test("SubscriptionManager routes by matching when the message carries no identifier", async () => {
  const { broker } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscriptions = ["a/#", "a/b", "+/b", "#", "a/c", "$share/g/a/+"].map((f) =>
    manager.subscribe(f)
  );
  assert.equal(manager.dispatch(message("a/b")), 5);
  assert.equal(manager.dispatch(message("$SYS/b")), 0);
  for (const subscription of subscriptions) await subscription.unsubscribe();
});

Deno.test("a message no subscriber takes goes to onUnmatched and is counted", async () => {
  const { broker } = recordingBroker();
  const unmatched: string[] = [];
  const manager = new SubscriptionManager({
    broker,
    onUnmatched: (received) => unmatched.push(received.topic),
  });
  const subscription = manager.subscribe("known/+");
  assert.equal(manager.dispatch(message("known/1")), 1);
  assert.equal(manager.dispatch(message("unknown/1")), 0);
  assert.deepEqual(unmatched, []);
  await settle();
  assert.deepEqual(unmatched, ["unknown/1"]);
  assert.equal(manager.unmatched, 1);
  await subscription.unsubscribe();
});

Deno.test("activeSubscriptions() lists each acknowledged filter with its merged options", async () => {
  const { broker } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const a = manager.subscribe("a/#", { qos: 1, noLocal: true, retainHandling: 2 });
  const b = manager.subscribe("a/#", { qos: 0, noLocal: false, retainHandling: 1 });
  const c = manager.subscribe("$share/g/c", { qos: 2, retainAsPublished: true });
  await Promise.all([a.ready, b.ready, c.ready]);
  const list = manager.activeSubscriptions();
  assert.deepEqual(list.map(({ subscriptionIdentifier: _, ...rest }) => rest), [
    { topicFilter: "a/#", qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 1 },
    {
      topicFilter: "$share/g/c",
      qos: 2,
      noLocal: false,
      retainAsPublished: true,
      retainHandling: 0,
    },
  ]);
  for (const s of [a, b, c]) await s.unsubscribe();
});

Deno.test("resubscribe() sends every active subscription again and ends the refused ones", async () => {
  let refuse = false;
  const { broker, calls } = recordingBroker((s) => refuse && s.topicFilter === "b" ? 0x80 : s.qos);
  const manager = new SubscriptionManager({ broker });
  const a = manager.subscribe("a", { qos: 1 });
  const b = manager.subscribe("b");
  await Promise.all([a.ready, b.ready]);
  refuse = true;
  await manager.resubscribe();
  assert.deepEqual(calls, [
    "SUBSCRIBE a qos 1",
    "SUBSCRIBE b qos 0",
    "SUBSCRIBE a qos 1",
    "SUBSCRIBE b qos 0",
  ]);
  assert.equal(b.closed, true);
  await assert.rejects(b.next(), { name: "SubscriptionRefusedError", reasonCode: 0x80 });
  assert.deepEqual(manager.activeSubscriptions().map((s) => s.topicFilter), ["a"]);
  await a.unsubscribe();
});

Deno.test("an aborted signal ends the subscription with its reason and unsubscribes", async () => {
  const { broker, calls } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const controller = new AbortController();
  const subscription = manager.subscribe("x", { signal: controller.signal });
  await subscription.ready;
  const waiting = subscription.next();
  controller.abort(new Error("done waiting"));
  await assert.rejects(waiting, { message: "done waiting" });
  await settle();
  assert.deepEqual(calls, ["SUBSCRIBE x qos 0", "UNSUBSCRIBE x"]);
  assert.throws(() => manager.subscribe("x", { signal: controller.signal }), {
    message: "done waiting",
  });
});

Deno.test("close() ends every subscription without calling the broker", async () => {
  const { broker, calls } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const a = manager.subscribe("a");
  const b = manager.subscribe("b");
  await Promise.all([a.ready, b.ready]);
  const waiting = a.next();
  manager.close(new Error("client stopped"));
  await assert.rejects(waiting, { message: "client stopped" });
  await assert.rejects(b.next(), { message: "client stopped" });
  await settle();
  assert.deepEqual(calls, ["SUBSCRIBE a qos 0", "SUBSCRIBE b qos 0"]);
  assert.deepEqual(manager.activeSubscriptions(), []);
  assert.equal(manager.dispatch(message("a")), 0);
});

Deno.test("a subscription that ends before its SUBACK rejects ready and leaves no broker subscription", async () => {
  const { broker, calls } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("early");
  await subscription.unsubscribe();
  await assert.rejects(subscription.ready, /ended before the broker acknowledged it/);
  await settle();
  // The SUBSCRIBE left at once, in call order; the UNSUBSCRIBE follows its SUBACK.
  assert.deepEqual(calls, ["SUBSCRIBE early qos 0", "UNSUBSCRIBE early"]);
  assert.deepEqual(manager.activeSubscriptions(), []);
});

Deno.test("an UNSUBACK failure rejects unsubscribe()", async () => {
  const manager = new SubscriptionManager({
    broker: { subscribe: (s) => Promise.resolve(s.qos), unsubscribe: () => Promise.resolve(0x87) },
  });
  const subscription = manager.subscribe("u");
  await subscription.ready;
  await assert.rejects(subscription.unsubscribe(), {
    name: "SubscriptionRefusedError",
    message: 'Cannot unsubscribe from "u": the broker answered with reason code 0x87',
  });
});

Deno.test("subscribe() rejects invalid filters and options with a clear error", () => {
  const { broker } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  assert.throws(() => manager.subscribe("a/#/b"), {
    name: "TypeError",
    message: 'Invalid topic filter "a/#/b": "#" must be the last level',
  });
  assert.throws(() => manager.subscribe("a", { qos: 3 as 0 }), {
    name: "RangeError",
    message: 'Cannot subscribe to "a": qos must be 0, 1 or 2, got 3',
  });
  assert.throws(() => manager.subscribe("a", { bufferSize: 0 }), RangeError);
  assert.throws(() => manager.subscribe("a", { overflow: "block" as "error" }), TypeError);
  assert.throws(() => manager.subscribe("$share/g/a", { noLocal: true }), {
    message: 'Cannot subscribe to "$share/g/a": noLocal is not allowed on a shared subscription',
  });
  assert.deepEqual(manager.activeSubscriptions(), []);
});

Deno.test("iterating a handler subscription is refused", async () => {
  const { broker } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("a", { handler: () => {} });
  await assert.rejects(subscription.next(), {
    name: "TypeError",
    message: 'Cannot iterate subscription to "a": it has a handler',
  });
  await subscription.unsubscribe();
});

Deno.test("subscribers added in the same tick: the first subscribes at once, the rest share one upgrade", async () => {
  const { broker, calls } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscriptions = [0, 2, 1].map((qos) => manager.subscribe("same", { qos: qos as 0 }));
  assert.deepEqual(await Promise.all(subscriptions.map((s) => s.ready)), [0, 2, 2]);
  assert.deepEqual(calls, ["SUBSCRIBE same qos 0", "SUBSCRIBE same qos 2"]);
  for (const subscription of subscriptions) await subscription.unsubscribe();
});

Deno.test("a refused upgrade ends only the subscriber that asked for it", async () => {
  const { broker, calls } = recordingBroker((s) => s.qos === 2 ? 0x9e : s.qos);
  const manager = new SubscriptionManager({ broker });
  const low = manager.subscribe("u", { qos: 1 });
  await low.ready;
  const high = manager.subscribe("u", { qos: 2 });
  await assert.rejects(high.ready, { name: "SubscriptionRefusedError", reasonCode: 0x9e });
  assert.equal(low.closed, false);
  assert.equal(manager.dispatch(message("u")), 1);
  assert.equal((await low.next()).value?.topic, "u");
  assert.deepEqual(manager.activeSubscriptions().map((s) => s.qos), [1]);
  await low.unsubscribe();
  assert.deepEqual(calls, ["SUBSCRIBE u qos 1", "SUBSCRIBE u qos 2", "UNSUBSCRIBE u"]);
});

Deno.test("dispatch() delivers once per filter however often a flood of identifiers repeats it", async () => {
  const { broker, requests } = recordingBroker();
  const manager = new SubscriptionManager({ broker });
  const subscription = manager.subscribe("flood");
  await subscription.ready;
  const id = requests[0].subscriptionIdentifier;
  const subscriptionIdentifiers = Array.from({ length: 200_000 }, (_, i) => i % 2 ? id : i + 1000);
  assert.equal(manager.dispatch(message("flood", { properties: { subscriptionIdentifiers } })), 1);
  await subscription.unsubscribe();
});
