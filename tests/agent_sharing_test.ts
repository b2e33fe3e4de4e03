/**
 * The coreMQTT-Agent connection-sharing scenario against mosquitto: many concurrent callers on
 * ONE connection, QoS 0, 1 and 2 mixed; every operation completes, no echo is lost, and each
 * caller's messages arrive in the order it published them.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import type { InboundMessage } from "@tern/agent";
import { startBroker } from "./support/broker.ts";

const CALLERS = 120;
const ROUNDS = 5;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Routes each caller's echoes to it, in arrival order. */
class Mailboxes {
  #boxes = new Map<string, InboundMessage[]>();
  #waiters = new Map<string, () => void>();

  deliver(message: InboundMessage): void {
    const box = this.#boxes.get(message.topic) ?? [];
    box.push(message);
    this.#boxes.set(message.topic, box);
    this.#waiters.get(message.topic)?.();
  }

  async waitFor(topic: string, count: number): Promise<InboundMessage[]> {
    while ((this.#boxes.get(topic)?.length ?? 0) < count) {
      await new Promise<void>((resolve) => this.#waiters.set(topic, resolve));
    }
    this.#waiters.delete(topic);
    return this.#boxes.get(topic)!;
  }
}

for (const protocolVersion of [4, 5] as const) {
  Deno.test(`${CALLERS} callers share one MQTT ${protocolVersion} connection with mixed QoS, nothing lost, order kept`, async () => {
    await using broker = await startBroker();
    const client = new MqttClient({
      url: broker.url,
      protocolVersion,
      clientId: `sharing-${protocolVersion}`,
      reconnect: false,
    });
    const mail = new Mailboxes();
    client.on("message", (message) => mail.deliver(message));
    await client.start();

    // Round trip per call: each caller waits for the echo of one message before the next.
    const echoed = await Promise.all(
      Array.from({ length: CALLERS }, async (_, task) => {
        const topic = `sharing/${protocolVersion}/task-${task}`;
        const granted = await client.subscribe(topic, { qos: 2 });
        assert.deepEqual(granted.reasonCodes, [2]);
        for (let round = 0; round < ROUNDS; round++) {
          const qos = ((task + round) % 3) as 0 | 1 | 2;
          const result = await client.publish(topic, `${task}:${round}`, { qos });
          assert.ok(result.reasonCode < 0x80);
          await mail.waitFor(topic, round + 1);
        }
        return (await mail.waitFor(topic, ROUNDS)).map((m) => text(m.payload));
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
        const all = await mail.waitFor(topic, 2 * ROUNDS);
        return all.slice(ROUNDS).map((m) => text(m.payload));
      }),
    );
    burst.forEach((payloads, task) =>
      assert.deepEqual(payloads, Array.from({ length: ROUNDS }, (_, k) => `${task}:burst-${k}`))
    );
    assert.deepEqual(client.stats(), {
      incompleteOperationCount: 0,
      incompleteOperationSize: 0,
      unackedOperationCount: 0,
      unackedOperationSize: 0,
    });
    await client.stop();
  });
}
