/**
 * Issue 6, fault test 5: the process publishing with a durable SqliteStore is killed with
 * SIGKILL mid-stream; a new process with the same client id and database resumes the session
 * and completes every QoS 1 / 2 message that was in flight: none lost, no QoS 2 duplicated.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { SqliteStore } from "@tern/agent/sqlite-store";
import { startBroker } from "./support/broker.ts";
import { payloadSeq } from "./support/delivery_ledger.ts";
import { waitFor } from "./support/fault_stream.ts";
import {
  recordStreams,
  startSubscriber,
  STREAM_TOPICS,
  testBackoff,
  waitForDelivery,
} from "./support/resilience.ts";

const COUNT = 10_000;
const KILL_AFTER = 3000;
const publisherScript = new URL("./support/durable_publisher.ts", import.meta.url).pathname;

const test =
  "a publisher killed with SIGKILL mid-stream completes its in-flight QoS 1 / 2 messages from its SQLite store after a restart";
Deno.test(test, async () => {
  await using broker = await startBroker();
  const dir = await Deno.makeTempDir({ prefix: "tern-durable-" });
  const path = `${dir}/session.db`;
  const subscriber = await startSubscriber({
    url: broker.url,
    clientId: "durable-subscriber",
    reconnect: testBackoff(),
  });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", publisherScript, broker.url, path, "durable-publisher", String(COUNT)],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    // Kill the publisher once it reported KILL_AFTER acknowledgements, mid-stream.
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    let acked = 0;
    while (acked < KILL_AFTER) {
      const { value, done } = await reader.read();
      assert.ok(!done, "the publisher exited before it was killed");
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const [qos, seq] = line.split(" ").map(Number);
        subscriber.ledgers[qos as 1 | 2].sent(seq);
        acked++;
      }
    }
    const killedAt = performance.now();
    child.kill("SIGKILL");
    assert.equal((await child.status).signal, "SIGKILL");
    await reader.cancel();

    // What was in flight at the kill is in the database; each of those must arrive as well.
    const store = new SqliteStore({ path });
    const inFlight = store.outbound("durable-publisher");
    assert.ok(inFlight.length > 0, "nothing was in flight when the publisher was killed");
    for (const entry of inFlight) {
      const qos = entry.packet.topic === STREAM_TOPICS[1] ? 1 : 2;
      subscriber.ledgers[qos].sent(payloadSeq(entry.packet.payload)!);
    }
    const restarted = new MqttClient({
      url: broker.url,
      clientId: "durable-publisher",
      protocolVersion: 5,
      cleanStart: false,
      sessionExpiryInterval: 3600,
      store,
      reconnect: testBackoff(),
    });
    try {
      const settings = await restarted.start();
      assert.equal(settings.rejoinedSession, true);
      const healMs = Math.round(performance.now() - killedAt);
      await waitForDelivery(subscriber, 60_000);
      // The resumed flows complete: the store empties without any caller waiting on them.
      await waitFor(() => store.outbound("durable-publisher").length === 0, {
        timeoutMs: 10_000,
        describe: () => `${store.outbound("durable-publisher").length} entries left`,
      });
      const q1 = subscriber.ledgers[1].summary();
      const q2 = subscriber.ledgers[2].summary();
      assert.equal(q1.lost, 0);
      assert.equal(q2.lost, 0);
      assert.equal(q2.duplicated, 0);
      await recordStreams(
        test,
        "publisher process SIGKILL + restart on its SQLite store",
        subscriber,
        {
          healMs,
          reconnects: 1,
        },
      );
    } finally {
      await restarted.stop();
      store.close();
    }
  } finally {
    await subscriber.client.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
