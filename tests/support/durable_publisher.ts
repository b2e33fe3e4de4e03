/**
 * Child process for resilience_durable_store_test.ts: an MqttClient whose in-flight state
 * lives in a SqliteStore streams QoS 1 and QoS 2 messages and prints `<qos> <seq>` once each
 * is acknowledged, until the test kills it.
 *
 * Arguments: broker URL, database path, client id, messages per QoS.
 */
import { MqttClient } from "@tern/agent";
import { SqliteStore } from "@tern/agent/sqlite-store";
import { seqPayload } from "./delivery_ledger.ts";
import { streamMessages } from "./fault_stream.ts";
import { STREAM_TOPICS } from "./resilience.ts";

const [url, path, clientId, count] = Deno.args;
const client = new MqttClient({
  url,
  clientId,
  protocolVersion: 5,
  cleanStart: false,
  sessionExpiryInterval: 3600,
  store: new SqliteStore({ path }),
});
await client.start();
const encoder = new TextEncoder();
const stream = (qos: 1 | 2) =>
  streamMessages({
    count: Number(count),
    window: 32,
    publish: async (seq) => {
      await client.publish(STREAM_TOPICS[qos], seqPayload(seq), { qos });
      Deno.stdout.writeSync(encoder.encode(`${qos} ${seq}\n`));
    },
  });
await Promise.all([stream(1), stream(2)]);
throw new Error(
  "Cannot keep streaming: every message was sent before the test killed this process",
);
