/**
 * Child process for agent_no_loss_test.ts: a subscriber with a persistent MQTT 5 session
 * that writes each message's sequence number to a file before the message counts as
 * handled (`ack: "handled"`), so the broker only ever hears PUBACK for what is on disk.
 * Prints "subscribed" once its SUBACK arrived; runs until the test kills it.
 *
 * Arguments: broker URL, client id, topic filter, output file.
 */
import { MqttClient } from "@tern/agent";
import { payloadSeq } from "./delivery_ledger.ts";

const [url, clientId, filter, path] = Deno.args;
const file = Deno.openSync(path, { append: true, create: true });
const encoder = new TextEncoder();
const client = new MqttClient({
  url,
  clientId,
  cleanStart: false,
  sessionExpiryInterval: 3600,
});
const subscription = client.subscribe(filter, {
  qos: 1,
  ack: "handled",
  handler: async (message) => {
    file.writeSync(encoder.encode(`${payloadSeq(message.payload)}\n`));
    // Slow enough (1 ms a message) that the test kills it in the middle of its backlog.
    await new Promise((resolve) => setTimeout(resolve, 1));
  },
});
await client.start();
await subscription;
Deno.stdout.writeSync(encoder.encode("subscribed\n"));
await new Promise(() => {});
