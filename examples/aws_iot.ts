/**
 * The coreMQTT mutual-authentication demo (mqtt_demo_mutual_auth.c) against AWS IoT Core:
 *
 * 1. connect with the device certificate over mutual TLS (8883, or 443 with ALPN
 *    `x-amzn-mqtt-ca`), with the AWS IoT Core limits enforced by the client;
 * 2. subscribe to `<clientId>/example/topic` at QoS 1;
 * 3. publish "Hello World! n" at QoS 1 and wait for each to come back from the broker;
 * 4. show the IoT Core limits at work: a QoS 2 publish is refused before it is sent
 *    (IoT Core would drop the connection);
 * 5. unsubscribe and disconnect.
 *
 * Reconnects use exponential backoff with jitter (the client's default policy).
 *
 * Against AWS IoT Core, with the files the console hands out for a thing:
 *
 *   AWS_IOT_ENDPOINT=abc123-ats.iot.us-east-1.amazonaws.com \
 *   AWS_IOT_CERT=device.pem.crt AWS_IOT_KEY=private.pem.key \
 *     deno run -A examples/aws_iot.ts [--port 443] [--client-id thing-1] [--count 3]
 *
 * (The thing's policy must allow iot:Connect for the client id, and iot:Subscribe,
 * iot:Receive and iot:Publish on `<clientId>/example/topic`.)
 *
 * Against a local broker with a private CA (what CI does with mosquitto), pass the same
 * settings as flags:
 *
 *   deno run -A examples/aws_iot.ts --endpoint localhost --port 8884 \
 *     --cert client.crt --key client.key --ca ca.crt
 */
import { parseArgs } from "node:util";
import { BrokerLimitError, type InboundMessage, MqttClient } from "@tern/agent";
import { mtlsOptionsFromFiles, toMqttClientOptions } from "@tern/aws";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    endpoint: { type: "string", default: Deno.env.get("AWS_IOT_ENDPOINT") },
    port: { type: "string", default: Deno.env.get("AWS_IOT_PORT") ?? "8883" },
    cert: { type: "string", default: Deno.env.get("AWS_IOT_CERT") },
    key: { type: "string", default: Deno.env.get("AWS_IOT_KEY") },
    ca: { type: "string", default: Deno.env.get("AWS_IOT_CA") },
    "client-id": { type: "string", default: Deno.env.get("AWS_IOT_CLIENT_ID") ?? "tern-demo" },
    count: { type: "string", default: "3" },
  },
});
const { endpoint, cert, key } = values;
if (!endpoint || !cert || !key) {
  console.error(
    "Set AWS_IOT_ENDPOINT, AWS_IOT_CERT and AWS_IOT_KEY (or --endpoint, --cert, --key)",
  );
  Deno.exit(2);
}
const clientId = values["client-id"];
const topic = `${clientId}/example/topic`;
const count = Number(values.count);

const iot = await mtlsOptionsFromFiles({
  endpoint,
  clientId,
  certFile: cert,
  keyFile: key,
  caFile: values.ca,
  port: Number(values.port),
});
const client = new MqttClient({ ...toMqttClientOptions(iot), keepAlive: 60 });
client.on("connectionfailure", ({ error }) => console.error(`Connection failed: ${error.message}`));

// Each echo settles the promise of the publish that caused it.
const waiting = new Map<string, (message: InboundMessage) => void>();
client.on("message", (message) => {
  const text = new TextDecoder().decode(message.payload);
  waiting.get(text)?.(message);
  waiting.delete(text);
});

try {
  const settings = await client.start();
  console.log(`Connected to ${endpoint} (MQTT ${settings.protocolVersion === 5 ? "5" : "3.1.1"})`);
  const [granted] = (await client.sendSubscribe(topic, { qos: 1 })).reasonCodes;
  console.log(`Subscribed to ${topic}, granted QoS ${granted}`);
  for (let i = 1; i <= count; i++) {
    const text = `Hello World! ${i}`;
    const echoed = new Promise<InboundMessage>((resolve) => waiting.set(text, resolve));
    // The PUBACK and the echoed PUBLISH may arrive in either order.
    const [result, echo] = await Promise.all([client.publish(topic, text, { qos: 1 }), echoed]);
    console.log(
      `Published "${text}" (PUBACK reason ${result.reasonCode}), received it back on ${echo.topic} at QoS ${echo.qos}`,
    );
  }
  try {
    await client.publish(topic, "QoS 2 is not for IoT Core", { qos: 2 });
  } catch (error) {
    if (!(error instanceof BrokerLimitError)) throw error;
    console.log(`Refused before sending: ${error.message}`);
  }
  await client.sendUnsubscribe(topic);
  console.log(`Unsubscribed from ${topic}; demo completed successfully`);
} finally {
  await client.stop();
}
