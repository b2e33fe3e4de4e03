/**
 * The three clients the agent benchmarks compare, behind one interface: Tern's MqttClient
 * and MQTT.js 5 in this process, and the AWS CRT MQTT5 client in a Node process
 * (`_crt.ts`). Each does the same work the same way (`_load.mjs`); Tern and MQTT.js measure
 * this process's CPU, the CRT its own process's (which holds its native event-loop thread).
 *
 * @module
 */
import process from "node:process";
import mqtt from "mqtt";
import { paced, windowed } from "./_load.mjs";
import { type CrtDriver, startCrt } from "./_crt.ts";
import { MqttClient } from "../packages/agent/mod.ts";

/** Where to connect. */
export interface Target {
  host: string;
  port: number;
  /** `mqtt` (TCP), `ws` (plain WebSocket) or `mqtts` (TLS). */
  transport: "mqtt" | "ws" | "mqtts";
  /** TLS: CA certificate file, and for mutual TLS the client certificate and key files. */
  tls?: { ca: string; cert?: string; key?: string };
}

/** Wall time and the client process's CPU time of one piece of work, µs. */
export interface Timing {
  micros: number;
  cpuMicros: number;
  /** Messages received, for `receive`: fewer than asked when it timed out. */
  received?: number;
}

/** Rate and CPU per message of one run; `note` says when it did not finish. */
export interface Measure {
  rate: number;
  cpuMicrosPerMessage: number;
  note?: string;
}

/** The rate and CPU per message of a run that was to handle `count` messages. */
export function measureOf(timing: Timing, count: number): Measure {
  const done = timing.received ?? count;
  const seconds = timing.micros / 1e6;
  const measure: Measure = {
    rate: done / seconds,
    cpuMicrosPerMessage: timing.cpuMicros / Math.max(done, 1),
  };
  if (done < count) measure.note = `stalled: ${done} of ${count} in ${seconds.toFixed(0)} s`;
  return measure;
}

/** One connected client. */
export interface Session {
  /** Publishes `count` messages (1000 outstanding, or paced to `rate`), then awaits `until`. */
  publish(
    topic: string,
    qos: 0 | 1,
    count: number,
    options?: { rate?: number; until?: Promise<unknown> },
  ): Promise<Timing>;
  /**
   * Subscribes and waits for `count` messages, or at most `timeoutMs`; the subscribe is
   * timed with them.
   */
  receive(topic: string, qos: 0 | 1, count: number, timeoutMs?: number): Promise<Timing>;
  /** Subscribes, then publishes `count` messages to its own subscription and waits for all. */
  self(topic: string, qos: 0 | 1, count: number): Promise<Timing>;
  /** QoS 1 publish, PUBACK and echo on its own subscription, `samples` in a row: ms each. */
  roundTrip(topic: string, samples: number): Promise<number[]>;
  stop(): Promise<void>;
}

/** A client library under test. */
export interface BenchClient {
  name: string;
  connect(target: Target, clientId: string): Promise<Session>;
}

export const PAYLOAD: Uint8Array = new Uint8Array(64).fill(0x63);

async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { micros: (performance.now() - start) * 1000, cpuMicros: used.user + used.system };
}

function urlOf(target: Target): string {
  return `${target.transport}://${target.host}:${target.port}`;
}

/**
 * `all` resolves with `count` after `count` calls of `arrived`, or after `timeoutMs` with
 * the number of calls so far.
 */
function counting(count: number, timeoutMs?: number) {
  let received = 0;
  let resolve = (_: number) => {};
  const all = new Promise<number>((r) => resolve = r);
  const timer = timeoutMs ? setTimeout(() => resolve(received), timeoutMs) : undefined;
  const arrived = () => {
    if (++received !== count) return;
    clearTimeout(timer);
    resolve(count);
  };
  return { arrived, all };
}

/** Drives a client through `publishOne` / `subscribe` / a message hook, in this process. */
function localSession(client: {
  publishOne(topic: string, qos: 0 | 1): Promise<unknown>;
  subscribe(topic: string, qos: 0 | 1): Promise<unknown>;
  onMessage(fn: () => void): void;
  stop(): Promise<unknown>;
}): Session {
  let hook = () => {};
  client.onMessage(() => hook());
  return {
    publish: (topic, qos, count, options = {}) =>
      timed(async () => {
        const one = () => client.publishOne(topic, qos);
        await (options.rate ? paced(count, one, options.rate) : windowed(count, one));
        await options.until;
      }),
    async receive(topic, qos, count, timeoutMs) {
      const { arrived, all } = counting(count, timeoutMs);
      hook = arrived;
      let received = 0;
      const timing = await timed(async () => {
        await client.subscribe(topic, qos);
        received = await all;
      });
      return { ...timing, received };
    },
    async self(topic, qos, count) {
      await client.subscribe(topic, qos);
      const { arrived, all } = counting(count);
      hook = arrived;
      return await timed(async () => {
        await windowed(count, () => client.publishOne(topic, qos));
        await all;
      });
    },
    async roundTrip(topic, samples) {
      await client.subscribe(topic, 1);
      const times: number[] = [];
      for (let i = 0; i < samples; i++) {
        const echo = new Promise<void>((resolve) => hook = resolve);
        const start = performance.now();
        await client.publishOne(topic, 1);
        await echo;
        times.push(performance.now() - start);
      }
      return times;
    },
    stop: async () => void await client.stop(),
  };
}

/** Tern's MqttClient. */
export const tern: BenchClient = {
  name: "Tern",
  async connect(target, clientId) {
    const pem = target.tls && {
      caCerts: [await Deno.readTextFile(target.tls.ca)],
      cert: target.tls.cert && await Deno.readTextFile(target.tls.cert),
      key: target.tls.key && await Deno.readTextFile(target.tls.key),
    };
    const client = new MqttClient({
      url: urlOf(target),
      clientId,
      reconnect: false,
      transportOptions: pem ?? {},
    });
    await client.start();
    return localSession({
      publishOne: (topic, qos) => client.publish(topic, PAYLOAD, { qos }),
      subscribe: (topic, qos) => client.sendSubscribe(topic, { qos }),
      onMessage: (fn) => client.on("message", fn),
      stop: () => client.stop(),
    });
  },
};

/** MQTT.js 5 (npm:mqtt), MQTT 5. */
export const mqttJs: BenchClient = {
  name: "MQTT.js",
  async connect(target, clientId) {
    const client = await mqtt.connectAsync(urlOf(target), {
      protocolVersion: 5,
      clientId,
      reconnectPeriod: 0,
      ...(target.tls && {
        ca: await Deno.readTextFile(target.tls.ca),
        cert: target.tls.cert && await Deno.readTextFile(target.tls.cert),
        key: target.tls.key && await Deno.readTextFile(target.tls.key),
      }),
    });
    const payload = Buffer.from(PAYLOAD);
    return localSession({
      publishOne: (topic, qos) => client.publishAsync(topic, payload, { qos }),
      subscribe: (topic, qos) => client.subscribeAsync(topic, { qos }),
      onMessage: (fn) => client.on("message", fn),
      stop: () => client.endAsync(),
    });
  },
};

/** The AWS CRT MQTT5 client, in the Node process `crt` (one connection at a time). */
export function awsCrt(crt: CrtDriver): BenchClient {
  return {
    name: "AWS CRT",
    async connect(target, clientId) {
      await crt.connect({
        host: target.host,
        port: target.port,
        transport: target.transport,
        clientId,
        ...target.tls,
      });
      return {
        async publish(topic, qos, count, options = {}) {
          const start = performance.now();
          const { cpuMicros } = await crt.publish(topic, qos, count, options.rate);
          await options.until;
          return { micros: (performance.now() - start) * 1000, cpuMicros };
        },
        receive: (topic, qos, count, timeoutMs) => crt.receive(topic, qos, count, timeoutMs),
        self: (topic, qos, count) => crt.self(topic, qos, count),
        roundTrip: async (topic, samples) => (await crt.roundTrip(topic, samples)).times,
        stop: () => crt.stop(),
      };
    },
  };
}

/** All three, the CRT in a Node process of its own; dispose of the result to end it. */
export async function allClients(): Promise<{ clients: BenchClient[] } & AsyncDisposable> {
  const crt = await startCrt();
  return {
    clients: [tern, mqttJs, awsCrt(crt)],
    [Symbol.asyncDispose]: () => crt[Symbol.asyncDispose](),
  };
}
