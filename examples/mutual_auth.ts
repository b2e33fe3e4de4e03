/**
 * The coreMQTT mutual-authentication demo: connect over mutually authenticated TLS, retrying
 * with exponential backoff and jitter, subscribe, publish at QoS 1 and receive the echo five
 * times, unsubscribe, disconnect.
 *
 *   deno run -A examples/mutual_auth.ts [--url mqtts://broker:8883 --ca ca.pem
 *                                        --cert client.pem --key client.key]
 *
 * Without `--url` it makes a CA and certificates with openssl and starts its own mosquitto
 * with `require_certificate true` on a free loopback port.
 */
import { parseArgs } from "node:util";
import { Backoff, MqttClient } from "@tern/agent";
import type { InboundMessage, ReconnectPolicy } from "@tern/agent";
import { tls } from "@tern/transport";
import { startBroker } from "../tests/support/broker.ts";
import { generateCertificates } from "../tests/support/certs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    ca: { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    "max-attempts": { type: "string", default: "5" },
  },
});
const ECHOES = 5;
const maxAttempts = Number(values["max-attempts"]);

let hostname: string, port: number, caCert: string, cert: string, key: string;
let cleanup = async () => {};
if (values.url) {
  const url = new URL(values.url);
  hostname = url.hostname;
  port = Number(url.port || 8883);
  [caCert, cert, key] = await Promise.all(
    [values.ca, values.cert, values.key].map((path) => Deno.readTextFile(path!)),
  );
} else {
  const certificates = await generateCertificates();
  const broker = await startBroker({ certificates });
  hostname = "localhost";
  port = broker.mtlsPort!;
  ({ caCert, clientCert: cert, clientKey: key } = certificates.pem);
  cleanup = async () => {
    await broker.stop();
    await Deno.remove(certificates.dir, { recursive: true });
  };
}

// Exponential backoff with full jitter between attempts, giving up after maxAttempts.
const backoff = new Backoff({ minDelayMs: 500, maxDelayMs: 8_000, jitter: "full" });
let failedAttempts = 0;
const retries: ReconnectPolicy = {
  connected(now) {
    failedAttempts = 0;
    backoff.connected(now);
  },
  nextDelay(now, error) {
    failedAttempts++;
    if (failedAttempts >= maxAttempts) return undefined;
    const delay = backoff.nextDelay(now);
    console.log(
      `Attempt ${failedAttempts} failed (${error.message}); retrying in ${Math.round(delay)} ms`,
    );
    return delay;
  },
};

const client = new MqttClient({
  transport: tls({ hostname, port, caCerts: [caCert], cert, key }),
  clientId: `mutual-auth-${crypto.randomUUID().slice(0, 8)}`,
  keepAlive: 60,
  reconnect: retries,
});
client.on(
  "attemptingconnect",
  ({ attempt }) => console.log(`Connecting to ${hostname}:${port} (attempt ${attempt})`),
);

let echoes = 0;
try {
  const settings = await client.start();
  console.log(`Connected over mutual TLS as "${settings.clientId}"`);
  const topic = `demo/mutual-auth/${settings.clientId}`;
  const { reasonCodes } = await client.sendSubscribe(topic, { qos: 1 });
  console.log(`Subscribed to ${topic}, granted QoS ${reasonCodes[0]}`);
  for (let i = 1; i <= ECHOES; i++) {
    const payload = `Hello World! ${i}`;
    const echo = new Promise<InboundMessage>((resolve) => {
      const off = client.on("message", (message) => {
        if (message.topic === topic) {
          off();
          resolve(message);
        }
      });
    });
    const { reasonCode } = await client.publish(topic, payload, { qos: 1 });
    console.log(`Published "${payload}" at QoS 1 (PUBACK reason code ${reasonCode})`);
    const message = await echo;
    console.log(`Received "${new TextDecoder().decode(message.payload)}" on ${message.topic}`);
    echoes++;
  }
  await client.sendUnsubscribe(topic);
  console.log(`Unsubscribed from ${topic}`);
} catch (error) {
  console.error(`Demo failed: ${(error as Error).message}`);
} finally {
  await client.stop();
  console.log("Disconnected");
  await cleanup();
}
console.log(`${echoes}/${ECHOES} echoes received`);
if (echoes !== ECHOES) Deno.exitCode = 1;
