import assert from "node:assert/strict";
import { SubscriptionRefusedError } from "./errors.ts";
import type { SubscriptionRetry } from "./retry.ts";
import { SubscriptionManager } from "./subscription_manager.ts";

/** A broker side that answers each SUBSCRIBE with the next code of `codes`. */
function scripted(codes: number[]) {
  const subscribes: string[] = [];
  const unsubscribes: string[] = [];
  const manager = new SubscriptionManager({
    broker: {
      subscribe: (s) => {
        subscribes.push(s.topicFilter);
        return Promise.resolve(codes.shift() ?? 0x87);
      },
      unsubscribe: (f) => (unsubscribes.push(f), Promise.resolve(0)),
    },
  });
  return { manager, subscribes, unsubscribes };
}

Deno.test("a refused SUBSCRIBE is retried after each delay the policy gives until granted", async () => {
  const { manager, subscribes } = scripted([0x87, 0x80, 1]);
  const retries: SubscriptionRetry[] = [];
  const delays = [5, 10];
  let granted = 0;
  const local = manager.subscribe("secret/#", {
    qos: 1,
    retry: { nextDelay: () => delays.shift(), connected: () => granted++ },
    onRetry: (retry) => retries.push(retry),
  });
  assert.equal(await local.ready, 1);
  assert.deepEqual(subscribes, ["secret/#", "secret/#", "secret/#"]);
  assert.deepEqual(
    retries.map((r) => [r.topicFilter, r.error.reasonCode, r.attempt, r.delayMs]),
    [["secret/#", 0x87, 1, 5], ["secret/#", 0x80, 2, 10]],
  );
  assert.ok(retries[0].error instanceof SubscriptionRefusedError);
  assert.equal(granted, 1);
  assert.equal(local.closed, false);
  await local.unsubscribe();
});

Deno.test("a retry policy that gives up ends the subscription with the last refusal", async () => {
  const { manager, subscribes } = scripted([0x87, 0x97]);
  let refusals = 0;
  const local = manager.subscribe("secret/#", {
    retry: { nextDelay: () => (++refusals < 2 ? 1 : undefined) },
  });
  await assert.rejects(local.ready, { name: "SubscriptionRefusedError", reasonCode: 0x97 });
  assert.equal(subscribes.length, 2);
  assert.equal(local.closed, true);
});

Deno.test("ending a subscription while it waits to retry stops the retries at once", async () => {
  const { manager, subscribes, unsubscribes } = scripted([0x87]);
  const waiting = Promise.withResolvers<void>();
  const local = manager.subscribe("secret/#", {
    retry: { nextDelay: () => 60_000 },
    onRetry: () => waiting.resolve(),
  });
  await waiting.promise;
  await local.unsubscribe();
  await assert.rejects(local.ready);
  // The minute-long timer was cleared (the op sanitizer would fail the test otherwise).
  assert.deepEqual(subscribes, ["secret/#"]);
  assert.deepEqual(unsubscribes, []);

  const aborted = new AbortController();
  const again = manager.subscribe("secret/#", {
    retry: { nextDelay: () => 60_000 },
    onRetry: () => aborted.abort(new Error("enough")),
    signal: aborted.signal,
  });
  await assert.rejects(again.ready);
  assert.equal(subscribes.length, 2);

  const closing = manager.subscribe("secret/#", {
    retry: { nextDelay: () => 60_000 },
    onRetry: () => queueMicrotask(() => manager.close(new Error("stopped"))),
  });
  await assert.rejects(closing.ready, { message: "stopped" });
  assert.equal(subscribes.length, 3);
});

Deno.test("retry must be a policy", () => {
  const { manager } = scripted([]);
  assert.throws(
    () => manager.subscribe("a", { retry: {} as never }),
    { name: "TypeError", message: 'Cannot subscribe to "a": retry must have a nextDelay method' },
  );
});
