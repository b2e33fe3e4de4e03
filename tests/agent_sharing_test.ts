/**
 * The coreMQTT-Agent connection-sharing scenario against mosquitto: many concurrent callers on
 * ONE connection, QoS 0, 1 and 2 mixed; every operation completes, no echo is lost, and each
 * caller's messages arrive, through its own local subscription, in the order it published them.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { startBroker } from "./support/broker.ts";

const CALLERS = 120;
const ROUNDS = 5;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

for (const protocolVersion of [4, 5] as const) {
  Deno.test(`${CALLERS} callers share one MQTT ${protocolVersion} connection with mixed QoS, nothing lost, order kept`, async () => {
    await using broker = await startBroker();
    const client = new MqttClient({
      url: broker.url,
      protocolVersion,
      clientId: `sharing-${protocolVersion}`,
      reconnect: false,
    });
    await client.start();

    // Each caller has its own local subscription, and reads its echoes from it.
    const subscriptions = Array.from(
      { length: CALLERS },
      (_, task) => client.subscribe(`sharing/${protocolVersion}/task-${task}`, { qos: 2 }),
    );
    for (const granted of await Promise.all(subscriptions)) {
      assert.deepEqual(granted.reasonCodes, [2]);
    }
    const take = async (task: number, count: number) => {
      const payloads: string[] = [];
      for (let i = 0; i < count; i++) {
        const { value, done } = await subscriptions[task].next();
        assert.ok(!done);
        payloads.push(text(value.payload));
      }
      return payloads;
    };

    // Round trip per call: each caller waits for the echo of one message before the next.
    const echoed = await Promise.all(
      Array.from({ length: CALLERS }, async (_, task) => {
        const topic = `sharing/${protocolVersion}/task-${task}`;
        const payloads: string[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const qos = ((task + round) % 3) as 0 | 1 | 2;
          const result = await client.publish(topic, `${task}:${round}`, { qos });
          assert.ok(result.reasonCode < 0x80);
          payloads.push(...await take(task, 1));
        }
        return payloads;
      }),
    );
    echoed.forEach((payloads, task) =>
      assert.deepEqual(payloads, Array.from({ length: ROUNDS }, (_, round) => `${task}:${round}`))
    );

    // Fire and forget per caller: all publishes of all callers queued at once, one QoS per
    // caller; echoes arrive in call order per caller.
    const burst = await Promise.all(
      Array.from({ length: CALLERS }, async (_, task) => {
        const topic = `sharing/${protocolVersion}/task-${task}`;
        const qos = (task % 3) as 0 | 1 | 2;
        await Promise.all(
          Array.from(
            { length: ROUNDS },
            (_, k) => client.publish(topic, `${task}:burst-${k}`, { qos }),
          ),
        );
        return await take(task, ROUNDS);
      }),
    );
    burst.forEach((payloads, task) =>
      assert.deepEqual(payloads, Array.from({ length: ROUNDS }, (_, k) => `${task}:burst-${k}`))
    );
    await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
    assert.deepEqual(client.stats(), {
      incompleteOperationCount: 0,
      incompleteOperationSize: 0,
      unackedOperationCount: 0,
      unackedOperationSize: 0,
      unmatchedMessages: 0,
      droppedMessages: 0,
      heldMessages: 0,
      ignoredAcknowledgements: 0,
    });
    await client.stop();
  });
}
