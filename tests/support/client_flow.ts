/**
 * The client flow every runtime proof runs, written with web APIs only so that it runs
 * unchanged inside workerd: connect → subscribe → publish QoS 0, 1 and 2 → receive each
 * echo → a throwing handler that does not end the runtime → broker restarted → reconnect
 * and resubscribe → stop. It returns what it saw; the test asserts on it.
 */
import { Backoff, MqttClient, type MqttClientOptions } from "@tern/agent";

/** Options of {@linkcode runClientFlow}. */
export interface ClientFlowOptions {
  /** The broker's URL: the client picks the runtime's transport for it. */
  url: string;
  /** Handed to the client (the Worker's precompiled codec module). */
  wasmModule?: WebAssembly.Module;
  /** Restarts the broker; resolves once it listens again (it forgot every session). */
  restartBroker(): Promise<void>;
  /** The client identifier (distinct per run, the broker lives across runs). */
  clientId: string;
}

/** What the flow saw. */
export interface ClientFlowResult {
  /** The steps completed, in order. */
  steps: string[];
  /** Echoes before the restart: `qos:payload`, sorted. */
  echoes: string[];
  /** Messages the throwing handler was given. */
  handlerCalls: number;
  /** Echoes after the restart, received through the restored subscription. */
  echoesAfterRestart: string[];
  /** Whether the broker said it kept the session at the reconnect (it cannot have). */
  rejoinedSession?: boolean;
  /** Accepted connections over the whole flow. */
  connections: number;
  /** Why the flow stopped early, when it did. */
  error?: string;
}

const decoder = new TextDecoder();
// A step that does not finish by then fails the flow with its name, instead of hanging.
const STEP_TIMEOUT_MS = 20_000;

async function step<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out: ${what}`)), STEP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the flow; never throws (a failure is in `error`, with the steps done before it). */
export async function runClientFlow(options: ClientFlowOptions): Promise<ClientFlowResult> {
  const result: ClientFlowResult = {
    steps: [],
    echoes: [],
    handlerCalls: 0,
    echoesAfterRestart: [],
    connections: 0,
  };
  const clientOptions: MqttClientOptions = {
    url: options.url,
    clientId: options.clientId,
    wasmModule: options.wasmModule,
    reconnect: new Backoff({ minDelayMs: 50, maxDelayMs: 500 }),
  };
  const client = new MqttClient(clientOptions);
  let reconnected: () => void = () => {};
  client.on("connectionsuccess", ({ settings }) => {
    result.connections++;
    result.rejoinedSession = settings.rejoinedSession;
    reconnected();
  });
  const base = `tern/flow/${options.clientId}`;
  try {
    let lastFailure: Error | undefined;
    client.on("connectionfailure", ({ error }) => lastFailure = error);
    await step("connect", client.start()).catch((error) => {
      throw lastFailure ?? error;
    });
    result.steps.push("connected");
    const echoes = client.subscribe(`${base}/echo`, { qos: 2 });
    const throwing = client.subscribe(`${base}/throw`, {
      handler: () => {
        result.handlerCalls++;
        throw new Error("A handler failed on purpose");
      },
    });
    await step("subscribe", Promise.all([echoes, throwing]));
    result.steps.push("subscribed");

    const receive = async (count: number) => {
      const seen: string[] = [];
      while (seen.length < count) {
        const { value, done } = await echoes.next();
        if (done) throw new Error("The echo subscription ended");
        seen.push(`${value.qos}:${decoder.decode(value.payload)}`);
      }
      return seen.sort();
    };
    for (const qos of [0, 1, 2] as const) {
      await client.publish(`${base}/echo`, `qos ${qos}`, { qos });
    }
    result.echoes = await step("receive the echoes", receive(3));
    result.steps.push("echoed");

    // The handler throws; the client reports it and goes on delivering.
    await client.publish(`${base}/throw`, "throw", { qos: 1 });
    await client.publish(`${base}/echo`, "after the throw", { qos: 1 });
    result.echoes.push(...await step("receive after the throw", receive(1)));
    result.steps.push("survived a throwing handler");

    const back = new Promise<void>((resolve) => reconnected = resolve);
    await step("restart the broker", options.restartBroker());
    await step("reconnect", back);
    result.steps.push("reconnected");
    // Only a subscription restored on the new, empty broker receives these.
    for (const qos of [1, 2] as const) {
      await client.publish(`${base}/echo`, `again ${qos}`, { qos });
    }
    result.echoesAfterRestart = await step("receive after the restart", receive(2));
    result.steps.push("resubscribed");
  } catch (error) {
    result.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } finally {
    await client.stop();
    result.steps.push("stopped");
  }
  return result;
}
