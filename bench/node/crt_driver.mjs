/**
 * The AWS CRT MQTT5 client (`aws-crt`, native C under Node) as a benchmark client, driven
 * by the Deno scripts over stdin / stdout: one JSON request a line, one JSON answer a line
 * (`{ id, ok: true, ...result }` or `{ id, ok: false, error }`). It runs the same loops as the
 * Tern and MQTT.js drivers (`../_load.mjs`) and measures its own CPU (user + system of this
 * process, which includes the CRT's native event-loop thread) and time.
 *
 *   node bench/node/crt_driver.mjs          (started by bench/_crt.ts)
 *
 * Requests: connect, receive, publish, self, roundTrip, stop, idle, crowd (see `handlers`).
 */
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { paced, windowed } from "../_load.mjs";

const require = createRequire(import.meta.url);
const { mqtt5, io } = require("aws-crt");

const PAYLOAD = Buffer.alloc(64, 0x64);

/** @type {InstanceType<typeof mqtt5.Mqtt5Client> | undefined} */
let client;
/** @type {((message: unknown) => void) | undefined} */
let onMessage;

/**
 * A client for one of the three ways in: `mqtt` (TCP), `ws` (plain WebSocket, the handshake
 * left as it is: no SigV4) and `mqtts` (TLS, with a client certificate when `cert` is given).
 */
function newClient({ host, port, clientId, transport = "mqtt", ca, cert, key, keepAlive = 60 }) {
  /** @type {Record<string, unknown>} */
  const config = {
    hostName: host,
    port,
    connectProperties: { keepAliveIntervalSeconds: keepAlive, clientId },
    sessionBehavior: mqtt5.ClientSessionBehavior.Clean,
    retryJitterMode: mqtt5.RetryJitterType.None,
    minReconnectDelayMs: 60_000,
  };
  if (transport === "ws") config.websocketHandshakeTransform = (_request, done) => done();
  if (transport === "mqtts") {
    const options = cert
      ? io.TlsContextOptions.create_client_with_mtls_from_path(cert, key)
      : new io.TlsContextOptions();
    options.override_default_trust_store_from_path(undefined, ca);
    config.tlsCtx = new io.ClientTlsContext(options);
  }
  return new mqtt5.Mqtt5Client(config);
}

/** Starts `c` and resolves once connected (rejects on the first failure). */
function started(c) {
  return new Promise((resolve, reject) => {
    c.once("connectionSuccess", () => resolve(undefined));
    c.once("connectionFailure", (event) => reject(new Error(String(event.error))));
    c.start();
  });
}

/**
 * Stops `c`, waits for it (at most 5 s: among 10,000 clients a few never report "stopped"),
 * and frees its native resources.
 */
async function closed(c) {
  let timer;
  const stopped = new Promise((resolve) => {
    c.once("stopped", resolve);
    timer = setTimeout(resolve, 5000);
  });
  c.stop();
  await stopped;
  clearTimeout(timer);
  c.close();
}

/** Runs `work` and returns its wall time and this process's CPU time, in µs. */
async function measured(work) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { micros: (performance.now() - start) * 1000, cpuMicros: used.user + used.system };
}

const publishOne = (topic, qos) => () =>
  client.publish({ topicName: topic, payload: PAYLOAD, qos });

/**
 * Resolves with `count` when `count` messages arrived (counted by the one message listener),
 * or after `timeoutMs` with how many did.
 */
function arrivals(count, timeoutMs) {
  let received = 0;
  return new Promise((resolve) => {
    const timer = timeoutMs ? setTimeout(() => resolve(received), timeoutMs) : undefined;
    onMessage = () => {
      if (++received !== count) return;
      clearTimeout(timer);
      resolve(count);
    };
  });
}

const handlers = {
  /** Connects the one client the other requests use. */
  async connect(request) {
    client = newClient(request);
    client.on("messageReceived", (event) => onMessage?.(event));
    await started(client);
    return {};
  },
  /**
   * Subscribes and waits for `count` messages, or `timeoutMs`; the subscribe is timed with
   * them. Reports how many arrived.
   */
  async receive({ topic, qos, count, timeoutMs }) {
    const all = arrivals(count, timeoutMs);
    let received = 0;
    const timing = await measured(async () => {
      await client.subscribe({ subscriptions: [{ topicFilter: topic, qos }] });
      received = await all;
    });
    return { ...timing, received };
  },
  /** Publishes `count` messages, 1000 outstanding, or paced to `rate` per second. */
  publish({ topic, qos, count, rate }) {
    const publish = publishOne(topic, qos);
    return measured(() => rate ? paced(count, publish, rate) : windowed(count, publish));
  },
  /** Publishes `count` messages to its own subscription and waits for all of them. */
  async self({ topic, qos, count }) {
    await client.subscribe({ subscriptions: [{ topicFilter: topic, qos }] });
    const all = arrivals(count);
    return await measured(async () => {
      await windowed(count, publishOne(topic, qos));
      await all;
    });
  },
  /** QoS 1 publish, PUBACK and echo on its own subscription, `samples` one after another. */
  async roundTrip({ topic, samples }) {
    await client.subscribe({ subscriptions: [{ topicFilter: topic, qos: 1 }] });
    const times = [];
    for (let i = 0; i < samples; i++) {
      const echo = arrivals(1);
      const start = performance.now();
      await client.publish({ topicName: topic, payload: PAYLOAD, qos: 1 });
      await echo;
      times.push(performance.now() - start);
    }
    return { times };
  },
  async stop() {
    if (client) await closed(client);
    client = undefined;
    onMessage = undefined;
    return {};
  },
  /**
   * Memory per additional idle connection: two batches of `count` connected clients, the
   * growth over the second one after a full GC (the first pays the one-off costs).
   */
  async idle({ count, ...target }) {
    const clients = [];
    const batch = async () => {
      for (let i = 0; i < count; i++) {
        const c = newClient({ ...target, clientId: `crt-idle-${clients.length}` });
        await started(c);
        clients.push(c);
      }
      globalThis.gc?.();
      await new Promise((resolve) => setTimeout(resolve, 500));
      globalThis.gc?.();
      return process.memoryUsage();
    };
    const before = await batch();
    const after = await batch();
    for (const c of clients) await closed(c);
    return {
      heap: (after.heapUsed - before.heapUsed) / count,
      rss: (after.rss - before.rss) / count,
    };
  },
  /**
   * `count` connections, `parallel` connecting at a time: the time to connect them all, the
   * memory growth per connection after a full GC, and the CPU while they sit idle for
   * `idleMs` with a keep-alive of `keepAliveSeconds` (as in `../agent_connections.ts`).
   */
  async crowd({ count, parallel, keepAliveSeconds, idleMs, ...target }) {
    const settle = async () => {
      globalThis.gc?.();
      await new Promise((resolve) => setTimeout(resolve, 500));
      globalThis.gc?.();
    };
    await settle();
    const before = process.memoryUsage();
    const clients = [];
    const start = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (next < count) {
        const c = newClient({ ...target, clientId: `crt-${next++}`, keepAlive: keepAliveSeconds });
        await started(c);
        clients.push(c);
      }
    }));
    const connectMs = performance.now() - start;
    await settle();
    const after = process.memoryUsage();
    const cpu = process.cpuUsage();
    const idleStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const used = process.cpuUsage(cpu);
    const idleCpuPercent = (used.user + used.system) / 10 / (performance.now() - idleStart);
    await Promise.all(clients.map(closed));
    return {
      connectMs,
      rssKiBPerConnection: (after.rss - before.rss) / 1024 / count,
      heapKiBPerConnection: (after.heapUsed - before.heapUsed) / 1024 / count,
      idleCpuPercent,
    };
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { id, op, ...request } = JSON.parse(line);
  let answer;
  try {
    answer = { id, ok: true, ...(await handlers[op](request)) };
  } catch (error) {
    answer = { id, ok: false, error: String(error?.stack ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
