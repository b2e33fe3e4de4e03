import assert from "node:assert/strict";
import { streamMessages, waitFor } from "./fault_stream.ts";

Deno.test("streamMessages() keeps at most `window` publishes pending and awaits them all", async () => {
  let pending = 0;
  let highest = 0;
  const seen: number[] = [];
  const result = await streamMessages({
    count: 50,
    first: 100,
    window: 4,
    publish: async (seq) => {
      pending++;
      highest = Math.max(highest, pending);
      seen.push(seq);
      await new Promise((resolve) => setTimeout(resolve, seq % 3));
      pending--;
      if (seq % 10 === 0) throw new Error(`refused ${seq}`);
    },
  });
  assert.equal(highest, 4);
  assert.equal(pending, 0);
  assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => 100 + i));
  assert.equal(result.completed, 45);
  assert.equal(result.failed, 5);
  assert.match(String(result.errors[0]), /refused 100/);
});

Deno.test("streamMessages() calls onStarted after each publish, in order", async () => {
  const calls: number[] = [];
  await streamMessages({
    count: 5,
    publish: () => Promise.resolve(),
    onStarted: (index) => {
      calls.push(index);
    },
  });
  assert.deepEqual(calls, [0, 1, 2, 3, 4]);
});

Deno.test("waitFor() resolves once the condition holds and fails with the description", async () => {
  let n = 0;
  await waitFor(() => ++n >= 3, { timeoutMs: 5000, intervalMs: 1 });
  assert.equal(n, 3);
  await assert.rejects(
    waitFor(() => false, { timeoutMs: 30, intervalMs: 5, describe: () => "still 0 of 10" }),
    /Condition not met within 30 ms: still 0 of 10/,
  );
});
