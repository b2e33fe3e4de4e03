/**
 * The coreMQTT-Agent connection-sharing demo: one agent owns ONE MQTT connection and many
 * tasks share it. Each task subscribes to its own topic (a local subscription: the agent's
 * subscription manager hands it the messages of its filter), then repeatedly publishes to it
 * and waits for the echo, even tasks at QoS 0 and odd tasks at QoS 1. As in its source, the
 * connection runs over mutual TLS when given certificates, reconnects in the background
 * (with backoff) and resubscribes when the broker lost the session; a round whose echo the
 * outage swallowed is published again. The tasks run `--loops` times (0: until a terminate
 * command, any message on `demo/agent/terminate`). The demo prints a summary and exits 0
 * only when every round got its echo.
 *
 *   deno run -A examples/connection_sharing.ts [--url mqtt://127.0.0.1:1883]
 *     [--ca ca.pem --cert client.pem --key client.key] [--tasks 12] [--rounds 10]
 *     [--loops 1] [--mqtt 5] [--echo-timeout-ms 5000]
 *
 * Without `--url` it runs against an embedded broker (`@tern/broker`) in the same process,
 * so `deno task demo` needs nothing but Deno; with `--url` it uses any broker (mosquitto,
 * AWS IoT Core, ...).
 */
import { parseArgs } from "node:util";
import { Backoff, MqttClient } from "@tern/agent";
import type { ClientSubscription, InboundMessage } from "@tern/agent";
import { Broker } from "@tern/broker";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    ca: { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    tasks: { type: "string", default: "12" },
    rounds: { type: "string", default: "10" },
    loops: { type: "string", default: "1" },
    mqtt: { type: "string", default: "5" },
    "echo-timeout-ms": { type: "string", default: "5000" },
  },
});
const tasks = Number(values.tasks);
const rounds = Number(values.rounds);
const loops = Number(values.loops);
const protocolVersion = Number(values.mqtt) as 4 | 5;
const echoTimeoutMs = Number(values["echo-timeout-ms"]);
/** Tries of one round before the task gives up (each waits an echo timeout at most). */
const TRIES = 30;
const TERMINATE_TOPIC = "demo/agent/terminate";

await using broker = values.url ? undefined : new Broker();
const where = values.url ?? "the embedded broker";
const [caCert, cert, key] = await Promise.all(
  [values.ca, values.cert, values.key].map((path) => path && Deno.readTextFile(path)),
);

// One agent, one connection: every task below shares it. It reconnects on its own.
const agent = new MqttClient({
  ...(values.url
    ? {
      url: values.url,
      transportOptions: caCert || cert
        ? { caCerts: caCert ? [caCert] : undefined, cert, key }
        : undefined,
    }
    : { transport: broker!.connect() }),
  protocolVersion,
  reconnect: new Backoff({ minDelayMs: 200, maxDelayMs: 5_000 }),
});
agent.on("connectionsuccess", ({ settings }) =>
  console.log(
    `Connected to ${where} as "${settings.clientId}" (MQTT ${settings.protocolVersion}, ` +
      `receive maximum ${settings.receiveMaximumToServer}` +
      (settings.rejoinedSession ? ", session resumed)" : ", new session: resubscribing)"),
  ));
agent.on("disconnection", ({ error }) => console.log(`Disconnected: ${error.message}`));
agent.on("connectionfailure", ({ error }) => console.log(`Connect failed: ${error.message}`));

/** The echo of `payload` on a task's subscription, or an error after the echo timeout. */
async function nextEcho(echoes: ClientSubscription, payload: string): Promise<InboundMessage> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`No echo on ${echoes.topicFilters[0]} within ${echoTimeoutMs} ms`)),
      echoTimeoutMs,
    );
  });
  try {
    while (true) {
      const { value, done } = await Promise.race([echoes.next(), timeout]);
      if (done) throw new Error(`The subscription to ${echoes.topicFilters[0]} ended`);
      // A QoS 1 publish resent after an outage may echo twice: the late copy is skipped.
      if (new TextDecoder().decode(value.payload) === payload) return value;
    }
  } finally {
    clearTimeout(timer);
  }
}

interface TaskReport {
  task: number;
  qos: 0 | 1;
  echoes: number;
  error?: string;
}

async function runTask(task: number, loop: number, report: TaskReport): Promise<void> {
  const topic = `demo/agent/task-${task}`;
  const echoes = agent.subscribe(topic, { qos: 1, retry: new Backoff({ minDelayMs: 200 }) });
  try {
    const { reasonCodes } = await echoes;
    if (reasonCodes[0] >= 0x80) {
      throw new Error(`Subscription refused (0x${reasonCodes[0].toString(16)})`);
    }
    for (let round = 0; round < rounds; round++) {
      const payload = `task ${task} loop ${loop} round ${round}`;
      for (let tries = 1;; tries++) {
        try {
          await agent.publish(topic, payload, { qos: report.qos });
          await nextEcho(echoes, payload);
          break;
        } catch (error) {
          // Offline (a QoS 0 publish is refused), or the echo was lost with the connection.
          if (tries === TRIES) throw error;
          console.log(`task ${task}: ${(error as Error).message}; publishing again`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      report.echoes++;
    }
    await echoes.unsubscribe();
  } catch (error) {
    report.error = (error as Error).message;
    await echoes.return();
  }
}

await agent.start();
// The terminate command: any message on its topic ends the demo after the current loop.
let terminated = false;
const terminate = agent.subscribe(TERMINATE_TOPIC, {
  qos: 1,
  handler: () => {
    if (!terminated) console.log("Terminate command received");
    terminated = true;
  },
});
await terminate;

const reports: TaskReport[] = Array.from(
  { length: tasks },
  (_, task) => ({ task, qos: (task % 2) as 0 | 1, echoes: 0 }),
);
let loop = 0;
while (!terminated && (loops === 0 || loop < loops)) {
  loop++;
  await Promise.all(reports.map((report) => runTask(report.task, loop, report)));
  console.log(`Loop ${loop} done`);
  if (reports.some((report) => report.error)) break;
}
await terminate.unsubscribe();
const stats = agent.stats();
await agent.stop();

const expected = tasks * rounds * loop;
const received = reports.reduce((sum, report) => sum + report.echoes, 0);
for (const report of reports) {
  console.log(
    `task ${String(report.task).padStart(2)}  QoS ${report.qos}  ${report.echoes}/${
      rounds * loop
    } echoes` +
      (report.error ? `  FAILED: ${report.error}` : ""),
  );
}
console.log(
  `${received}/${expected} echoes on one connection over ${loop} loop(s); operations left incomplete: ${stats.incompleteOperationCount}`,
);
if (received !== expected) Deno.exitCode = 1;
