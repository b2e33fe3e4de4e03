/**
 * MQTT 5 properties round-tripped with mosquitto_pub / mosquitto_sub as the other end.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import type { InboundMessage } from "@tern/agent";
import { startBroker } from "./support/broker.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`${command} failed (${output.code}): ${text(output.stderr)}`);
  }
  return text(output.stdout);
}

Deno.test("properties published by the client reach mosquitto_sub intact", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({ url: broker.url, clientId: "interop-pub", reconnect: false });
  await client.start();
  // Retained, so mosquitto_sub receives it whenever it subscribes.
  await client.publish("interop/out", "payload-1", {
    qos: 1,
    retain: true,
    properties: {
      contentType: "text/plain",
      responseTopic: "interop/reply",
      correlationData: new TextEncoder().encode("corr-42"),
      payloadFormatIndicator: 1,
      messageExpiryInterval: 3600,
      userProperties: [["k1", "v1"], ["k1", "v2"], ["k2", "v3"]],
    },
  });
  const line = await run("mosquitto_sub", [
    "-h",
    "127.0.0.1",
    "-p",
    String(broker.port),
    "-V",
    "5",
    "-t",
    "interop/out",
    "-q",
    "1",
    "-C",
    "1",
    "-W",
    "10",
    "-F",
    "%t|%C|%R|%D|%F|%P|%p|%q|%r",
  ]);
  const [topic, contentType, responseTopic, correlation, format, userProps, payload, qos, retain] =
    line.trim().split("|");
  assert.deepEqual(
    { topic, contentType, responseTopic, correlation, format, payload, qos, retain },
    {
      topic: "interop/out",
      contentType: "text/plain",
      responseTopic: "interop/reply",
      correlation: "corr-42",
      format: "1",
      payload: "payload-1",
      qos: "1",
      retain: "1",
    },
  );
  assert.equal(userProps, "k1:v1 k1:v2 k2:v3");
  await client.stop();
});

Deno.test("properties published by mosquitto_pub reach the client intact, with its subscription id", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({ url: broker.url, clientId: "interop-sub", reconnect: false });
  const received = Promise.withResolvers<InboundMessage>();
  client.on("message", received.resolve);
  await client.start();
  await client.sendSubscribe("interop/in/#", {
    qos: 2,
    properties: { subscriptionIdentifier: 42 },
  });
  await run("mosquitto_pub", [
    "-h",
    "127.0.0.1",
    "-p",
    String(broker.port),
    "-V",
    "5",
    "-q",
    "2",
    "-t",
    "interop/in/x",
    "-m",
    "from-pub",
    "-D",
    "publish",
    "user-property",
    "a",
    "b",
    "-D",
    "publish",
    "user-property",
    "a",
    "c",
    "-D",
    "publish",
    "content-type",
    "application/json",
    "-D",
    "publish",
    "response-topic",
    "interop/back",
    "-D",
    "publish",
    "correlation-data",
    "xyz",
    "-D",
    "publish",
    "payload-format-indicator",
    "1",
    "-D",
    "publish",
    "message-expiry-interval",
    "100",
  ]);
  const message = await received.promise;
  assert.equal(message.topic, "interop/in/x");
  assert.equal(text(message.payload), "from-pub");
  assert.equal(message.qos, 2);
  const { messageExpiryInterval, correlationData, ...rest } = message.properties ?? {};
  assert.ok(messageExpiryInterval! > 0 && messageExpiryInterval! <= 100);
  assert.equal(text(correlationData!), "xyz");
  assert.deepEqual(rest, {
    userProperties: [["a", "b"], ["a", "c"]],
    contentType: "application/json",
    responseTopic: "interop/back",
    payloadFormatIndicator: 1,
    subscriptionIdentifiers: [42],
  });
  await client.stop();
});

Deno.test("an MQTT 3.1.1 client and mosquitto_pub / mosquitto_sub exchange messages", async () => {
  await using broker = await startBroker();
  const client = new MqttClient({ url: broker.url, protocolVersion: 4, reconnect: false });
  const received = Promise.withResolvers<InboundMessage>();
  client.on("message", received.resolve);
  await client.start();
  await client.sendSubscribe("v4/in", { qos: 1 });
  await run("mosquitto_pub", [
    "-h",
    "127.0.0.1",
    "-p",
    String(broker.port),
    "-V",
    "311",
    "-q",
    "1",
    "-t",
    "v4/in",
    "-m",
    "hi",
  ]);
  assert.equal(text((await received.promise).payload), "hi");
  await client.publish("v4/out", "retained", { qos: 1, retain: true });
  const line = await run("mosquitto_sub", [
    "-h",
    "127.0.0.1",
    "-p",
    String(broker.port),
    "-V",
    "311",
    "-t",
    "v4/out",
    "-C",
    "1",
    "-W",
    "10",
    "-F",
    "%t %p %r",
  ]);
  assert.equal(line.trim(), "v4/out retained 1");
  await client.stop();
});
