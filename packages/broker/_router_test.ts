import assert from "node:assert/strict";
import { resolveLimits } from "./limits.ts";
import { Router } from "./_router.ts";
import { Session, type Sub } from "./_session.ts";

Deno.test("Router keeps a retained payload in its own bytes, not the chunk it was decoded from", () => {
  const router = new Router(10);
  const chunk = new Uint8Array(64 * 1024);
  router.retain({ topic: "r", payload: chunk.subarray(100, 110), qos: 0, retain: true });
  assert.equal(router.retained.get("r")!.payload.buffer.byteLength, 10);
});

Deno.test("Router stops retaining new topics at maxRetained but still replaces kept ones", () => {
  const router = new Router(1);
  const payload = new Uint8Array([1]);
  router.retain({ topic: "a", payload, qos: 0, retain: true });
  router.retain({ topic: "b", payload, qos: 0, retain: true });
  router.retain({ topic: "a", payload: new Uint8Array([2]), qos: 0, retain: true });
  assert.deepEqual([...router.retained.keys()], ["a"]);
  assert.deepEqual([...router.retained.get("a")!.payload], [2]);
});

Deno.test("Router merges a session's overlapping subscriptions into one delivery", () => {
  const router = new Router(10);
  const session = new Session("s", resolveLimits());
  const received: unknown[] = [];
  session.deliver = (delivery) => void received.push(delivery);
  const sub = (filter: string, qos: 0 | 1 | 2, identifier: number): Sub => ({
    session,
    filter,
    topicFilter: filter,
    qos,
    noLocal: false,
    retainAsPublished: false,
    retainHandling: 0,
    identifier,
  });
  router.add(sub("a/#", 0, 1));
  router.add(sub("a/+", 2, 2));
  const count = router.route({ topic: "a/b", payload: new Uint8Array(), qos: 2, retain: false }, 0);
  assert.equal(count, 1);
  assert.equal(received.length, 1);
  const [delivery] = received as { qos: number; subscriptionIdentifiers: number[] }[];
  assert.equal(delivery.qos, 2);
  assert.deepEqual(delivery.subscriptionIdentifiers.toSorted(), [1, 2]);
});
