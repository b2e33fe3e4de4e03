/**
 * The coreMQTT mutual-authentication demo, looping as its source does: connect over mutually
 * authenticated TLS (retrying with exponential backoff and jitter), subscribe (a refused
 * SUBSCRIBE is retried with backoff too), publish at QoS 1 and receive the echo five times,
 * unsubscribe, disconnect, wait, and again, `--loops` times (0: forever). A connection lost
 * mid-loop (a broker restart) is re-established in the background and the loop goes on.
 *
 *   deno run -A examples/mutual_auth.ts [--url mqtts://broker:8883 --ca ca.pem
 *     --cert client.pem --key client.key] [--loops 3] [--delay-ms 1000] [--max-attempts 5]
 *
 * Without `--url` it makes a CA and certificates with openssl and starts its own mosquitto
 * with `require_certificate true` on a free loopback port.
 */
import { parseArgs } from "node:util";
import { Backoff, MqttClient } from "@tern/agent";
import type { ClientSubscription, InboundMessage, ReconnectPolicy } from "@tern/agent";
import { startBroker } from "../tests/support/broker.ts";
import { generateCertificates } from "../tests/support/certs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    ca: { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    loops: { type: "string", default: "3" },
    "delay-ms": { type: "string", default: "1000" },
    "max-attempts": { type: "string", default: "5" },
    "echo-timeout-ms": { type: "string", default: "10000" },
  },
});
const ECHOES = 5;
const loops = Number(values.loops);
const delayMs = Number(values["delay-ms"]);
const maxAttempts = Number(values["max-attempts"]);
const echoTimeoutMs = Number(values["echo-timeout-ms"]);

let url: string, caCert: string, cert: string, key: string;
let cleanup = async () => {};
if (values.url) {
  url = values.url;
  [caCert, cert, key] = await Promise.all(
    [values.ca, values.cert, values.key].map((path) => Deno.readTextFile(path!)),
  );
} else {
  const certificates = await generateCertificates();
  const broker = await startBroker({ certificates });
  url = `mqtts://localhost:${broker.mtlsPort}`;
  ({ caCert, clientCert: cert, clientKey: key } = certificates.pem);
  cleanup = async () => {
    await broker.stop();
    await Deno.remove(certificates.dir, { recursive: true });
  };
}

// Exponential backoff with full jitter between attempts, giving up after maxAttempts in a row.
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
  url,
  transportOptions: { caCerts: [caCert], cert, key },
  clientId: `mutual-auth-${crypto.randomUUID().slice(0, 8)}`,
  keepAlive: 60,
  reconnect: retries,
});
client.on(
  "attemptingconnect",
  ({ attempt }) => console.log(`Connecting to ${url} (attempt ${attempt})`),
);
client.on("disconnection", ({ error }) => {
  if (client.running) console.log(`Connection lost: ${error.message}; reconnecting`);
});
client.on(
  "subscriptionretry",
  ({ topicFilter, error, delayMs }) =>
    console.log(
      `SUBSCRIBE to ${topicFilter} refused (${error.reasonCode}); retrying in ${delayMs} ms`,
    ),
);

/** The echo of `payload`, skipping a late duplicate of an earlier one (a resend). */
async function echoOf(subscription: ClientSubscription, payload: string): Promise<InboundMessage> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`No echo within ${echoTimeoutMs} ms`)),
      echoTimeoutMs,
    );
  });
  try {
    while (true) {
      const { value, done } = await Promise.race([subscription.next(), timeout]);
      if (done) throw new Error("The subscription ended");
      if (new TextDecoder().decode(value.payload) === payload) return value;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Publishes `payload` and waits for its echo, publishing again if an outage lost it. */
async function publishAndEcho(
  subscription: ClientSubscription,
  topic: string,
  payload: string,
): Promise<InboundMessage> {
  for (let tries = 1;; tries++) {
    const { reasonCode } = await client.publish(topic, payload, { qos: 1 });
    console.log(`Published "${payload}" at QoS 1 (PUBACK reason code ${reasonCode})`);
    try {
      return await echoOf(subscription, payload);
    } catch (error) {
      if (tries === 3) throw error;
      console.log(`${(error as Error).message}; publishing again`);
    }
  }
}

/** One iteration of the source's loop; returns the echoes it got. */
async function iteration(loop: number): Promise<number> {
  let echoes = 0;
  try {
    const settings = await client.start();
    console.log(`Connected over mutual TLS as "${settings.clientId}"`);
    const topic = `demo/mutual-auth/${settings.clientId}`;
    const subscription = client.subscribe(topic, {
      qos: 1,
      retry: new Backoff({ minDelayMs: 500, maxDelayMs: 8_000 }),
    });
    const { reasonCodes } = await subscription;
    console.log(`Subscribed to ${topic}, granted QoS ${reasonCodes[0]}`);
    for (let i = 1; i <= ECHOES; i++) {
      const payload = `Hello World! loop ${loop} message ${i}`;
      const message = await publishAndEcho(subscription, topic, payload);
      console.log(`Received "${new TextDecoder().decode(message.payload)}" on ${message.topic}`);
      echoes++;
    }
    await subscription.unsubscribe();
    console.log(`Unsubscribed from ${topic}`);
  } catch (error) {
    console.error(`Loop ${loop} failed: ${(error as Error).message}`);
  } finally {
    await client.stop();
    console.log(`Disconnected (loop ${loop}: ${echoes}/${ECHOES} echoes)`);
  }
  return echoes;
}

let echoes = 0;
let loop = 0;
try {
  while (loops === 0 || loop < loops) {
    loop++;
    const got = await iteration(loop);
    echoes += got;
    if (got !== ECHOES) break;
    if (loops === 0 || loop < loops) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
} finally {
  await cleanup();
}
console.log(`${echoes}/${ECHOES * loop} echoes received over ${loop} loop(s)`);
if (echoes !== ECHOES * loop) Deno.exitCode = 1;
