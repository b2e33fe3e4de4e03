import assert from "node:assert/strict";
import {
  keepsOnDisconnect,
  OfflineError,
  OfflineQueue,
  type OfflineQueuePolicy,
  type QueuedOperation,
  QueueFullError,
} from "./offline_queue.ts";

interface Op extends QueuedOperation {
  name: string;
  errors: Error[];
}

function op(name: string, kind: Op["kind"], qos?: 0 | 1 | 2, bytes = 10): Op {
  const errors: Error[] = [];
  return { name, kind, qos, bytes, errors, fail: (error) => errors.push(error) };
}

/** One operation of every kind the policies tell apart. */
function everyKind(): Op[] {
  return [
    op("publish qos 0", "publish", 0),
    op("publish qos 1", "publish", 1),
    op("publish qos 2", "publish", 2),
    op("publish without qos", "publish"),
    op("subscribe", "subscribe"),
    op("unsubscribe", "unsubscribe"),
  ];
}

const KEPT: Record<OfflineQueuePolicy, string[]> = {
  failNonQos1PublishOnDisconnect: ["publish qos 1", "publish qos 2"],
  failQos0PublishOnDisconnect: ["publish qos 1", "publish qos 2", "subscribe", "unsubscribe"],
  failAllOnDisconnect: [],
};

function drain(queue: OfflineQueue<Op>): string[] {
  const names: string[] = [];
  for (let next = queue.shift(); next; next = queue.shift()) names.push(next.name);
  return names;
}

for (const policy of Object.keys(KEPT) as OfflineQueuePolicy[]) {
  Deno.test(`${policy} accepts while offline only the operations it keeps`, () => {
    const queue = new OfflineQueue<Op>({ policy });
    const ops = everyKind();
    for (const o of ops) assert.equal(queue.add(o), KEPT[policy].includes(o.name), o.name);
    for (const o of ops) {
      if (KEPT[policy].includes(o.name)) {
        assert.deepEqual(o.errors, [], o.name);
      } else {
        assert.equal(o.errors.length, 1, o.name);
        assert.ok(o.errors[0] instanceof OfflineError);
        assert.equal((o.errors[0] as OfflineError).policy, policy);
        assert.match(o.errors[0].message, new RegExp(`policy ${policy} does not keep it`));
      }
    }
    assert.deepEqual(drain(queue), KEPT[policy]);
  });

  Deno.test(`${policy} queues every kind while connected and fails the unkept ones on disconnect`, () => {
    const queue = new OfflineQueue<Op>({ policy });
    queue.connected();
    const ops = everyKind();
    for (const o of ops) assert.ok(queue.add(o), o.name);
    const cause = new Error("connection reset");
    assert.equal(queue.disconnected({ cause }), ops.length - KEPT[policy].length);
    for (const o of ops) {
      const expected = KEPT[policy].includes(o.name) ? 0 : 1;
      assert.equal(o.errors.length, expected, o.name);
      if (expected) assert.equal(o.errors[0].cause, cause);
    }
    assert.equal(queue.size, KEPT[policy].length);
    assert.equal(queue.bytes, KEPT[policy].length * 10);
    assert.deepEqual(drain(queue), KEPT[policy]);
  });
}

Deno.test("keepsOnDisconnect() treats a publish without qos as QoS 0", () => {
  const publish = op("p", "publish");
  assert.equal(keepsOnDisconnect("failQos0PublishOnDisconnect", publish), false);
  assert.equal(keepsOnDisconnect("failQos0PublishOnDisconnect", { ...publish, qos: 2 }), true);
});

Deno.test("OfflineQueue defaults to failQos0PublishOnDisconnect and starts offline", () => {
  const queue = new OfflineQueue();
  assert.equal(queue.policy, "failQos0PublishOnDisconnect");
  assert.equal(queue.online, false);
});

Deno.test("add() fails a new operation at once when the count limit is reached", () => {
  const queue = new OfflineQueue<Op>({ maxOperations: 3 });
  const ops = [1, 2, 3, 4].map((i) => op(`p${i}`, "publish", 1));
  assert.deepEqual(ops.map((o) => queue.add(o)), [true, true, true, false]);
  const [error] = ops[3].errors;
  assert.ok(error instanceof QueueFullError);
  assert.equal(error.limit, "operations");
  assert.equal(
    error.message,
    "Cannot publish at QoS 1: the offline queue is full (3 operations, limit 3)",
  );
  assert.deepEqual(ops.slice(0, 3).map((o) => o.errors), [[], [], []]);
  // Room again once one left.
  queue.connected();
  assert.equal(queue.shift()?.name, "p1");
  assert.ok(queue.add(op("p5", "publish", 1)));
  assert.deepEqual(drain(queue), ["p2", "p3", "p5"]);
});

Deno.test("add() fails a new operation at once when the byte limit would be passed", () => {
  const queue = new OfflineQueue<Op>({ maxBytes: 100 });
  assert.ok(queue.add(op("a", "publish", 1, 60)));
  assert.ok(queue.add(op("b", "subscribe", undefined, 40)));
  assert.equal(queue.bytes, 100);
  const tooMuch = op("c", "publish", 2, 1);
  assert.equal(queue.add(tooMuch), false);
  assert.ok(tooMuch.errors[0] instanceof QueueFullError);
  assert.equal((tooMuch.errors[0] as QueueFullError).limit, "bytes");
  assert.equal(
    tooMuch.errors[0].message,
    "Cannot publish at QoS 2: the offline queue is full (100 bytes queued, 1 more would pass the limit of 100)",
  );
  // An empty operation still fits, and one larger than the whole limit never does.
  assert.ok(queue.add(op("empty", "unsubscribe", undefined, 0)));
  const fresh = new OfflineQueue<Op>({ maxBytes: 100 });
  const huge = op("huge", "publish", 1, 101);
  assert.equal(fresh.add(huge), false);
  assert.equal(fresh.size, 0);
  assert.equal(fresh.bytes, 0);
});

Deno.test("requeue() puts taken operations back at the front in their order", () => {
  const queue = new OfflineQueue<Op>();
  queue.connected();
  for (const name of ["a", "b", "c", "d"]) queue.add(op(name, "publish", 1));
  const taken = [queue.shift()!, queue.shift()!];
  queue.add(op("e", "publish", 1));
  queue.requeue(taken);
  assert.equal(queue.bytes, 50);
  assert.deepEqual(drain(queue), ["a", "b", "c", "d", "e"]);
});

Deno.test("requeue() skips the limits but, while offline, still applies the policy", () => {
  const queue = new OfflineQueue<Op>({ maxOperations: 1 });
  queue.add(op("queued", "publish", 1));
  const sub = op("sub awaiting suback", "subscribe");
  const qos0 = op("unwritten qos 0", "publish", 0);
  const qos1 = op("unwritten qos 1", "publish", 1);
  queue.requeue([sub, qos0, qos1]);
  assert.equal(qos0.errors.length, 1);
  assert.ok(qos0.errors[0] instanceof OfflineError);
  assert.deepEqual([sub.errors, qos1.errors], [[], []]);
  assert.equal(queue.size, 3);
  assert.deepEqual(drain(queue), ["sub awaiting suback", "unwritten qos 1", "queued"]);
});

Deno.test("failAll() fails every queued operation with the given error", () => {
  const queue = new OfflineQueue<Op>();
  const ops = [op("a", "publish", 1), op("b", "subscribe")];
  ops.forEach((o) => queue.add(o));
  const stopped = new Error("Cannot publish: the client was stopped");
  assert.equal(queue.failAll(stopped), 2);
  assert.deepEqual(ops.map((o) => o.errors), [[stopped], [stopped]]);
  assert.equal(queue.size, 0);
  assert.equal(queue.bytes, 0);
  assert.equal(queue.shift(), undefined);
});

Deno.test("a throwing fail() leaves no other operation pending and the queue consistent", () => {
  const queue = new OfflineQueue<Op>({ policy: "failAllOnDisconnect" });
  queue.connected();
  const bad = {
    ...op("bad", "publish", 1),
    fail: () => {
      throw new Error("boom");
    },
  };
  const good = op("good", "publish", 1);
  queue.add(bad);
  queue.add(good);
  assert.throws(() => queue.disconnected(), /boom/);
  assert.equal(good.errors.length, 1);
  assert.equal(queue.size, 0);
  assert.equal(queue.bytes, 0);
});

Deno.test("shift() keeps first-in first-out order across many adds and shifts", () => {
  const queue = new OfflineQueue<Op>({ maxOperations: 10_000 });
  queue.connected();
  const names: string[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 4000; i++) {
      const name = `${round}/${i}`;
      names.push(name);
      assert.ok(queue.add(op(name, "publish", 0, 1)));
    }
    for (let i = 0; i < 3000; i++) assert.equal(queue.shift()?.name, names.shift());
  }
  assert.equal(queue.size, 3000);
  assert.equal(queue.bytes, 3000);
  assert.deepEqual(drain(queue), names);
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

Deno.test("every operation settles exactly once under a random mix of calls", () => {
  for (const policy of Object.keys(KEPT) as OfflineQueuePolicy[]) {
    const random = seeded(policy.length);
    const queue = new OfflineQueue<Op>({ policy, maxOperations: 20, maxBytes: 500 });
    const all: Op[] = [];
    const sent = new Map<Op, number>();
    const taken: Op[] = [];
    for (let step = 0; step < 5000; step++) {
      const r = random();
      if (r < 0.5) {
        const kinds = everyKind();
        const o = kinds[Math.floor(random() * kinds.length)];
        o.bytes = Math.floor(random() * 60);
        o.name = `${step}`;
        all.push(o);
        queue.add(o);
      } else if (r < 0.75) {
        const o = queue.shift();
        if (o) taken.push(o);
      } else if (r < 0.85) {
        // The runner completes some taken operations and hands the rest back on a loss.
        for (const o of taken.splice(0, Math.floor(random() * (taken.length + 1)))) {
          sent.set(o, (sent.get(o) ?? 0) + 1);
        }
        queue.requeue(taken.splice(0));
        queue.disconnected();
      } else {
        queue.connected();
      }
      assert.ok(queue.bytes >= 0 && queue.size >= 0);
    }
    queue.requeue(taken.splice(0));
    queue.failAll(new Error("stopped"));
    for (const o of all) {
      const settled = o.errors.length + (sent.get(o) ?? 0);
      assert.equal(settled, 1, `${policy}: operation ${o.name} settled ${settled} times`);
    }
  }
});

Deno.test("OfflineQueue rejects bad options and operations with a clear error", () => {
  assert.throws(
    () => new OfflineQueue({ policy: "keepAll" as OfflineQueuePolicy }),
    /policy must be one of failNonQos1PublishOnDisconnect, failQos0PublishOnDisconnect, failAllOnDisconnect, got keepAll/,
  );
  assert.throws(
    () => new OfflineQueue({ maxOperations: 0 }),
    /maxOperations must be a positive integer, got 0/,
  );
  assert.throws(() => new OfflineQueue({ maxBytes: 1.5 }), RangeError);
  const queue = new OfflineQueue<Op>();
  assert.throws(
    () => queue.add({ ...op("x", "publish", 1), bytes: -1 }),
    /bytes must be an integer >= 0, got -1/,
  );
  assert.throws(() => queue.add({ ...op("x", "ping" as "publish", 1) }), /kind must be/);
  assert.throws(() => queue.add({ ...op("x", "publish", 3 as 2) }), /qos must be 0, 1 or 2, got 3/);
  assert.throws(
    () => queue.add({ ...op("x", "publish", 1), fail: undefined as unknown as Op["fail"] }),
    TypeError,
  );
  assert.equal(queue.size, 0);
});
