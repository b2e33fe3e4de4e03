/**
 * Issue 6, connecting: fresh connect options before every attempt (a password file on
 * mosquitto), a list of servers tried in turn, an MQTT 5 server reference honoured, and a
 * hook that stops retrying on a refusal. Each ends with QoS 1 messages round-tripped through
 * the broker the client finally reached.
 */
import assert from "node:assert/strict";
import { Decoder, encode } from "@tern/codec";
import {
  ConnectionRefusedError,
  type InboundMessage,
  MqttClient,
  type MqttClientOptions,
} from "@tern/agent";
import { startBroker } from "./support/broker.ts";
import { freePort } from "./support/free_port.ts";
import { waitFor } from "./support/fault_stream.ts";
import { recordFigures } from "./support/reliability.ts";
import { testBackoff } from "./support/resilience.ts";

const MESSAGES = 100;

/** A mosquitto accepting only `user` with `password` (mosquitto_passwd hashes it). */
async function startBrokerWithPassword(user: string, password: string) {
  const dir = await Deno.makeTempDir({ prefix: "tern-passwd-" });
  const file = `${dir}/passwd`;
  const made = await new Deno.Command("mosquitto_passwd", {
    args: ["-c", "-b", file, user, password],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!made.success) {
    throw new Error(`mosquitto_passwd failed: ${new TextDecoder().decode(made.stderr)}`);
  }
  const broker = await startBroker({
    config: ["allow_anonymous false", `password_file ${file}`],
  });
  return {
    broker,
    async [Symbol.asyncDispose]() {
      await broker[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * A fake MQTT 5 server that answers every CONNECT with CONNACK 0x9C (Use another server)
 * naming `reference`, then closes.
 */
function startRedirector(reference: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  let redirected = 0;
  const serve = async (conn: Deno.Conn) => {
    const decoder = new Decoder({ version: 5 });
    const buffer = new Uint8Array(4096);
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) return;
        if (decoder.push(buffer.subarray(0, n)).some((packet) => packet.type === "connect")) {
          await conn.write(encode({
            type: "connack",
            sessionPresent: false,
            reasonCode: 0x9c,
            properties: { serverReference: reference },
          }, { version: 5 }));
          redirected++;
          return;
        }
      }
    } finally {
      conn.close();
    }
  };
  const accepting = (async () => {
    const served: Promise<void>[] = [];
    try {
      for await (const conn of listener) served.push(serve(conn).catch(() => {}));
    } catch {
      // The listener was closed.
    }
    await Promise.all(served);
  })();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    get redirected() {
      return redirected;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
    },
  };
}

/**
 * Starts `options` as a client, times it to its first CONNACK, then round-trips QoS 1
 * messages through the broker it reached and records the figures.
 */
async function connectAndRoundTrip(test: string, fault: string, options: MqttClientOptions) {
  const client = new MqttClient(options);
  let failures = 0;
  client.on("connectionfailure", () => failures++);
  const received = new Map<string, number>();
  const count = (m: InboundMessage) => {
    const key = new TextDecoder().decode(m.payload);
    received.set(key, (received.get(key) ?? 0) + 1);
  };
  const began = performance.now();
  try {
    await client.start();
    const healMs = Math.round(performance.now() - began);
    const topic = `connect/${options.clientId}`;
    await client.subscribe(topic, { qos: 1, handler: count });
    for (let i = 0; i < MESSAGES; i++) await client.publish(topic, String(i), { qos: 1 });
    await waitFor(() => received.size === MESSAGES, { timeoutMs: 10_000 });
    const arrivals = [...received.values()].reduce((a, b) => a + b, 0);
    assert.equal(received.size, MESSAGES);
    await recordFigures({
      test,
      fault,
      qos: 1,
      sent: MESSAGES,
      received: arrivals,
      lost: MESSAGES - received.size,
      duplicated: arrivals - received.size,
      healMs,
      reconnects: failures,
      note:
        "time to heal runs from start() to the first accepted CONNACK; reconnects counts the attempts that failed before it",
    });
    return { client, failures };
  } finally {
    await client.stop();
  }
}

Deno.test("the connect options provider supplies the right password after mosquitto refused the wrong one", async () => {
  await using secured = await startBrokerWithPassword("device", "s3cret");
  const attempts: { attempt: number; lastError?: Error }[] = [];
  const { failures } = await connectAndRoundTrip(
    "the connect options provider supplies the right password after a refusal",
    "wrong password in the first CONNECT",
    {
      url: secured.broker.url,
      clientId: "provided",
      username: "device",
      password: "wrong",
      reconnect: testBackoff(),
      connectOptionsProvider: ({ attempt, lastError }) => {
        attempts.push({ attempt, lastError });
        // The first attempt keeps the configured (wrong) password; later ones fetch the right one.
        return Promise.resolve(attempt === 1 ? {} : { password: "s3cret" });
      },
    },
  );
  assert.deepEqual(attempts.map((a) => a.attempt), [1, 2]);
  const refusal = attempts[1].lastError;
  assert.ok(refusal instanceof ConnectionRefusedError, String(refusal));
  assert.ok([0x86, 0x87].includes(refusal.reasonCode), `reason code ${refusal.reasonCode}`);
  assert.equal(failures, 1);
});

Deno.test("a refusal hook stops retrying when mosquitto refuses the credentials", async () => {
  await using secured = await startBrokerWithPassword("device", "s3cret");
  const client = new MqttClient({
    url: secured.broker.url,
    clientId: "refused",
    username: "device",
    password: "wrong",
    reconnect: testBackoff(),
    shouldReconnect: (error) => !(error instanceof ConnectionRefusedError),
  });
  let attempts = 0;
  client.on("attemptingconnect", () => attempts++);
  const failures: Error[] = [];
  client.on("connectionfailure", ({ error }) => failures.push(error));
  const error = await client.start().then(() => undefined, (e) => e);
  assert.ok(error instanceof ConnectionRefusedError, String(error));
  assert.deepEqual(failures, [error]);
  assert.equal(attempts, 1);
  assert.equal(client.running, false);
});

Deno.test("a list of servers is tried in turn: a dead port first, then mosquitto", async () => {
  await using broker = await startBroker();
  const deadUrl = `mqtt://127.0.0.1:${freePort()}`;
  const attempted: unknown[] = [];
  const { failures } = await connectAndRoundTrip(
    "a list of servers is tried in turn: a dead port first, then mosquitto",
    "first server refuses TCP",
    {
      servers: [deadUrl, broker.url],
      clientId: "rotating",
      reconnect: testBackoff(),
      connectOptionsProvider: ({ server }) => {
        attempted.push(server);
        return {};
      },
    },
  );
  assert.deepEqual(attempted, [deadUrl, broker.url]);
  assert.equal(failures, 1);
});

Deno.test("CONNACK 0x9C with a server reference sends the client to mosquitto", async () => {
  await using broker = await startBroker();
  await using redirector = startRedirector(new URL(broker.url).host);
  const attempted: unknown[] = [];
  await connectAndRoundTrip(
    "CONNACK 0x9C with a server reference sends the client to mosquitto",
    "CONNACK Use another server",
    {
      servers: [redirector.url],
      clientId: "redirected",
      reconnect: testBackoff(),
      connectOptionsProvider: ({ server }) => {
        attempted.push(server);
        return {};
      },
    },
  );
  assert.deepEqual(attempted, [redirector.url, broker.url]);
  assert.equal(redirector.redirected, 1);
});
