/**
 * Issue 6, fault test 4: operations issued while the broker is down are kept or failed at
 * once by the offline queue policy, both limits hold, and every promise settles.
 */
import assert from "node:assert/strict";
import {
  ClientStoppedError,
  MqttClient,
  type MqttClientOptions,
  OfflineError,
  type OfflineQueuePolicy,
  QueueFullError,
} from "@tern/agent";
import { type Broker, startBroker } from "./support/broker.ts";
import { waitFor } from "./support/fault_stream.ts";
import { testBackoff } from "./support/resilience.ts";

/** A client connected to `broker`, which is then killed: the client is offline, retrying. */
async function offlineClient(broker: Broker, options: Partial<MqttClientOptions>) {
  const client = new MqttClient({
    url: broker.url,
    clientId: `offline-${options.offlineQueuePolicy ?? "limits"}`,
    sessionExpiryInterval: 300,
    reconnect: testBackoff(),
    ...options,
  });
  await client.start();
  await broker.kill();
  await waitFor(() => client.state !== "connected", { timeoutMs: 5000 });
  return client;
}

/**
 * Follows `promise` from now on: `failedAtOnce(type)` tells whether it had rejected with
 * `type` by the next macrotask; `settled` resolves with its value or its error.
 */
function follow(promise: Promise<unknown>) {
  let outcome: unknown = "pending";
  const settled = promise.then((value) => outcome = value, (error) => outcome = error);
  return {
    settled,
    async failedAtOnce(type: new (...args: never[]) => Error): Promise<boolean> {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return outcome instanceof type;
    },
  };
}

const KEPT: Record<OfflineQueuePolicy, { qos0: boolean; qos1: boolean; subscribe: boolean }> = {
  failQos0PublishOnDisconnect: { qos0: false, qos1: true, subscribe: true },
  failNonQos1PublishOnDisconnect: { qos0: false, qos1: true, subscribe: false },
  failAllOnDisconnect: { qos0: false, qos1: false, subscribe: false },
};

for (const policy of Object.keys(KEPT) as OfflineQueuePolicy[]) {
  Deno.test(`${policy}: offline operations are kept or fail at once, and kept ones complete`, async () => {
    await using broker = await startBroker();
    const client = await offlineClient(broker, { offlineQueuePolicy: policy });
    try {
      const operations = {
        qos0: follow(client.publish("o/0", "zero", { qos: 0 })),
        qos1: follow(client.publish("o/1", "one", { qos: 1 })),
        subscribe: follow(client.sendSubscribe("o/#", { qos: 1 })),
      };
      const kept = KEPT[policy];
      for (const name of ["qos0", "qos1", "subscribe"] as const) {
        const failed = await operations[name].failedAtOnce(OfflineError);
        assert.equal(failed, !kept[name], `${name} under ${policy}`);
      }
      await broker.restart();
      if (kept.qos1) {
        const result = await operations.qos1.settled as { reasonCode: number };
        assert.ok(result.reasonCode < 0x80);
      }
      if (kept.subscribe) {
        const result = await operations.subscribe.settled as { reasonCodes: number[] };
        assert.deepEqual(result.reasonCodes, [1]);
      }
    } finally {
      await client.stop();
    }
  });
}

Deno.test("the offline queue's count and byte limits fail a new operation at once", async () => {
  await using broker = await startBroker();
  const client = await offlineClient(broker, { maxQueuedOperations: 3 });
  const kept = [1, 2, 3].map((i) => follow(client.publish("l", `${i}`, { qos: 1 })));
  assert.ok(await follow(client.publish("l", "4", { qos: 1 })).failedAtOnce(QueueFullError));
  await client.stop();
  // Stopping settles the kept ones too.
  for (const { settled } of kept) assert.ok((await settled) instanceof ClientStoppedError);

  await broker.restart();
  const bytes = await offlineClient(broker, { maxQueuedBytes: 100 });
  try {
    const big = follow(bytes.publish("b", new Uint8Array(200), { qos: 1 }));
    assert.ok(await big.failedAtOnce(QueueFullError));
    const small = follow(bytes.publish("b", new Uint8Array(50), { qos: 1 }));
    assert.equal(await small.failedAtOnce(QueueFullError), false);
  } finally {
    await bytes.stop();
  }
});
