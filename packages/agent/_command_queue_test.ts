import assert from "node:assert/strict";
import type { PublishPacket } from "@tern/codec";
import {
  keepsOnDisconnect,
  MessageExpiredError,
  OfflineError,
  type OfflineQueuePolicy,
  QueueFullError,
} from "./offline_queue.ts";
import { type CommandPacket, CommandQueue, type CommandQueueLimits } from "./_command_queue.ts";

const publish = (qos: 0 | 1 | 2, messageExpiryInterval?: number): PublishPacket => ({
  type: "publish",
  topic: "t",
  payload: new Uint8Array(0),
  qos,
  retain: false,
  dup: false,
  properties: messageExpiryInterval === undefined ? undefined : { messageExpiryInterval },
});

/** One packet of every kind the policies tell apart, by name. */
const EVERY_KIND: [string, CommandPacket][] = [
  ["publish qos 0", publish(0)],
  ["publish qos 1", publish(1)],
  ["publish qos 2", publish(2)],
  ["subscribe", { type: "subscribe", packetId: 0, subscriptions: [{ topicFilter: "a", qos: 0 }] }],
  ["unsubscribe", { type: "unsubscribe", packetId: 0, topicFilters: ["a"] }],
];

const KEPT: Record<OfflineQueuePolicy, string[]> = {
  failNonQos1PublishOnDisconnect: ["publish qos 1", "publish qos 2"],
  failQos0PublishOnDisconnect: ["publish qos 1", "publish qos 2", "subscribe", "unsubscribe"],
  failAllOnDisconnect: [],
};

/** A queue with `limits`, and the failures it reported. */
function queueWith(limits: Partial<CommandQueueLimits> = {}) {
  const failed: [number, Error][] = [];
  const queue = new CommandQueue({
    offlineQueuePolicy: "failQos0PublishOnDisconnect",
    maxQueuedOperations: 10_000,
    maxQueuedBytes: 16 * 1024 * 1024,
    ...limits,
  }, {
    push: (event) => void (event.type === "failed" && failed.push([event.operation, event.error])),
  });
  return { queue, failed };
}

/** Takes every command off the front, as the session sends them; returns their ids. */
function drain(queue: CommandQueue, now = 0): number[] {
  const ids: number[] = [];
  for (let command = queue.head(now); command; command = queue.head(now)) {
    queue.drop(command);
    ids.push(command.id);
  }
  return ids;
}

for (const policy of Object.keys(KEPT) as OfflineQueuePolicy[]) {
  Deno.test(`${policy} accepts while offline only the operations it keeps`, () => {
    const { queue } = queueWith({ offlineQueuePolicy: policy });
    const ids: number[] = [];
    for (const [name, packet] of EVERY_KIND) {
      if (KEPT[policy].includes(name)) {
        ids.push(queue.enqueue(packet, 10, false));
        continue;
      }
      assert.throws(() => queue.enqueue(packet, 10, false), (error: Error) => {
        assert.ok(error instanceof OfflineError, name);
        assert.equal(error.policy, policy);
        assert.match(error.message, new RegExp(`policy ${policy} does not keep it$`));
        return true;
      });
    }
    assert.equal(queue.count, KEPT[policy].length);
    assert.deepEqual(drain(queue), ids);
  });

  Deno.test(`${policy} queues every kind while connected and fails the unkept ones on disconnect`, () => {
    const { queue, failed } = queueWith({ offlineQueuePolicy: policy });
    const ids = EVERY_KIND.map(([, packet]) => queue.enqueue(packet, 10, true));
    queue.failUnkept();
    const keptIds = ids.filter((_, i) => KEPT[policy].includes(EVERY_KIND[i][0]));
    assert.deepEqual(
      failed.map(([id]) => id),
      ids.filter((id) => !keptIds.includes(id)),
    );
    for (const [, error] of failed) {
      assert.ok(error instanceof OfflineError);
      assert.match(error.message, /the connection was lost and the offline queue policy/);
    }
    assert.equal(queue.count, keptIds.length);
    assert.equal(queue.bytes, keptIds.length * 10);
    assert.deepEqual(drain(queue), keptIds);
  });
}

Deno.test("keepsOnDisconnect() treats a publish without qos as QoS 0", () => {
  assert.equal(keepsOnDisconnect("failQos0PublishOnDisconnect", { kind: "publish" }), false);
  assert.equal(keepsOnDisconnect("failQos0PublishOnDisconnect", { kind: "publish", qos: 2 }), true);
});

Deno.test("enqueue() refuses a new operation at once when the count limit is reached", () => {
  const { queue } = queueWith({ maxQueuedOperations: 3 });
  const ids = [1, 2, 3].map(() => queue.enqueue(publish(1), 10, true));
  assert.throws(() => queue.enqueue(publish(1), 10, true), (error: Error) => {
    assert.ok(error instanceof QueueFullError);
    assert.equal(error.limit, "operations");
    assert.equal(
      error.message,
      "Cannot publish at QoS 1: the offline queue is full (3 operations, limit 3)",
    );
    return true;
  });
  // Room again once one left.
  queue.drop(queue.head(0)!);
  const next = queue.enqueue(publish(1), 10, true);
  assert.deepEqual(drain(queue), [ids[1], ids[2], next]);
});

Deno.test("enqueue() refuses a new operation at once when the byte limit would be passed", () => {
  const { queue } = queueWith({ maxQueuedBytes: 100 });
  queue.enqueue(publish(1), 60, false);
  queue.enqueue(EVERY_KIND[3][1], 40, false);
  assert.equal(queue.bytes, 100);
  assert.throws(() => queue.enqueue(publish(2), 1, false), (error: Error) => {
    assert.ok(error instanceof QueueFullError);
    assert.equal(error.limit, "bytes");
    assert.equal(
      error.message,
      "Cannot publish at QoS 2: the offline queue is full (100 bytes queued, 1 more would pass the limit of 100)",
    );
    return true;
  });
  // An empty operation still fits, and one larger than the whole limit never does.
  queue.enqueue(EVERY_KIND[4][1], 0, false);
  const fresh = queueWith({ maxQueuedBytes: 100 }).queue;
  assert.throws(() => fresh.enqueue(publish(1), 101, true), QueueFullError);
  assert.deepEqual([fresh.count, fresh.bytes], [0, 0]);
});

Deno.test("requeueFront() puts commands back ahead of the queue in their order, past the limits", () => {
  const { queue } = queueWith({ maxQueuedOperations: 1 });
  const queued = queue.enqueue(publish(1), 10, true);
  const requeued = { id: 7, packet: publish(1), size: 5, cancelled: false };
  const restore = { id: 0, packet: EVERY_KIND[3][1], size: 3, cancelled: false };
  queue.requeueFront([restore, requeued]);
  // Session state (id 0) is not counted.
  assert.deepEqual([queue.count, queue.bytes], [2, 15]);
  assert.deepEqual(drain(queue), [0, 7, queued]);
  assert.deepEqual([queue.count, queue.bytes], [0, 0]);
});

Deno.test("cancel() removes a waiting operation once, and head() then skips it", () => {
  const { queue, failed } = queueWith();
  const a = queue.enqueue(publish(1), 10, true);
  const b = queue.enqueue(publish(1), 10, true);
  assert.equal(queue.cancel(a), true);
  assert.equal(queue.cancel(a), false);
  assert.deepEqual([queue.count, queue.bytes], [1, 10]);
  assert.deepEqual(drain(queue), [b]);
  assert.deepEqual(failed, []);
});

Deno.test("abandon() drops every operation without failing it, and keeps session state", () => {
  const { queue, failed } = queueWith();
  queue.enqueue(publish(1), 10, true);
  queue.requeueFront([{ id: 0, packet: publish(1), size: 5, cancelled: false }]);
  queue.abandon();
  assert.deepEqual([queue.count, queue.bytes, failed.length], [0, 0, 0]);
  assert.deepEqual(drain(queue), [0]);
});

Deno.test("forgetRestores() drops only the SUBSCRIBE commands that restore subscriptions", () => {
  const { queue } = queueWith();
  const restore = { id: 0, packet: EVERY_KIND[3][1], size: 3, cancelled: false };
  const restored = { id: 0, packet: publish(1), size: 3, cancelled: false };
  queue.requeueFront([restore, restored]);
  const sub = queue.enqueue(EVERY_KIND[3][1], 2, true);
  queue.forgetRestores();
  assert.deepEqual(drain(queue), [0, sub]);
});

Deno.test("a publish counts its Message Expiry Interval down while it waits, and expires there", () => {
  const { queue, failed } = queueWith();
  const waits = queue.enqueue(publish(1, 10), 1, true, 0);
  const command = queue.head(2500)!;
  assert.equal(command.id, waits);
  assert.equal(
    (queue.packetAt(command, 2500) as PublishPacket).properties?.messageExpiryInterval,
    8,
  );
  assert.equal(queue.packetAt(command, 999), command.packet);
  assert.equal(queue.head(10_000), undefined);
  assert.equal(failed.length, 1);
  const [id, error] = failed[0];
  assert.equal(id, waits);
  assert.ok(error instanceof MessageExpiredError);
  assert.equal(error.waitedSeconds, 10);
  assert.deepEqual([queue.count, queue.bytes], [0, 0]);
});

Deno.test("head() and drop() keep first-in first-out order across many enqueues", () => {
  const { queue } = queueWith();
  const ids: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 4000; i++) ids.push(queue.enqueue(publish(0), 1, true));
    for (let i = 0; i < 3000; i++) {
      const command = queue.head(0)!;
      assert.equal(command.id, ids.shift());
      queue.drop(command);
    }
  }
  assert.deepEqual([queue.count, queue.bytes], [3000, 3000]);
  assert.deepEqual(drain(queue), ids);
});

/** A seeded generator (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("every operation ends exactly once under a random mix of calls", () => {
  for (const policy of Object.keys(KEPT) as OfflineQueuePolicy[]) {
    const random = seeded(policy.length);
    const { queue, failed } = queueWith({
      offlineQueuePolicy: policy,
      maxQueuedOperations: 20,
      maxQueuedBytes: 500,
    });
    const ended = new Map<number, number>();
    const end = (id: number) => ended.set(id, (ended.get(id) ?? 0) + 1);
    const accepted: number[] = [];
    let online = false;
    for (let step = 0; step < 5000; step++) {
      const r = random();
      if (r < 0.5) {
        const packet = EVERY_KIND[Math.floor(random() * EVERY_KIND.length)][1];
        try {
          accepted.push(queue.enqueue(packet, Math.floor(random() * 60), online));
        } catch (error) {
          assert.ok(error instanceof OfflineError || error instanceof QueueFullError);
        }
      } else if (r < 0.7) {
        const command = queue.head(step);
        if (command) {
          queue.drop(command);
          end(command.id);
        }
      } else if (r < 0.8) {
        const id = accepted[Math.floor(random() * accepted.length)];
        if (id !== undefined && queue.cancel(id)) end(id);
      } else if (r < 0.9) {
        if (online) queue.failUnkept();
        online = false;
      } else {
        online = true;
      }
      assert.ok(queue.bytes >= 0 && queue.count >= 0);
    }
    for (const [id] of failed) end(id);
    const left = drain(queue);
    for (const id of left) end(id);
    for (const id of accepted) {
      assert.equal(ended.get(id), 1, `${policy}: operation ${id} ended ${ended.get(id)} times`);
    }
    assert.deepEqual([queue.count, queue.bytes], [0, 0]);
  }
});
