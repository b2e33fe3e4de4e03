/**
 * The coreMQTT-Agent connection-sharing demo: one agent owns ONE MQTT connection and many
 * tasks share it. Each task subscribes to its own topic (a local subscription: the agent's
 * subscription manager hands it the messages of its filter), then repeatedly publishes to it
 * and waits for the echo, even tasks at QoS 0 and odd tasks at QoS 1. The demo prints a summary
 * and exits 0 only when every echo arrived.
 *
 *   deno run -A examples/connection_sharing.ts [--url mqtt://127.0.0.1:1883]
 *                                              [--tasks 12] [--rounds 10] [--mqtt 5]
 *
 * Without `--url` it runs against an embedded broker (`@tern/broker`) in the same process,
 * so `deno task demo` needs nothing but Deno; with `--url` it uses any broker (mosquitto,
 * AWS IoT Core, ...).
 */
import { parseArgs } from "node:util";
import { MqttClient } from "@tern/agent";
import type { ClientSubscription, InboundMessage } from "@tern/agent";
import { Broker } from "@tern/broker";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    tasks: { type: "string", default: "12" },
    rounds: { type: "string", default: "10" },
    mqtt: { type: "string", default: "5" },
    "echo-timeout-ms": { type: "string", default: "5000" },
  },
});
const tasks = Number(values.tasks);
const rounds = Number(values.rounds);
const protocolVersion = Number(values.mqtt) as 4 | 5;
const echoTimeoutMs = Number(values["echo-timeout-ms"]);

await using broker = values.url ? undefined : new Broker();
const where = values.url ?? "the embedded broker";

// One agent, one connection: every task below shares it.
const agent = new MqttClient({
  ...(values.url ? { url: values.url } : { transport: broker!.connect() }),
  protocolVersion,
  reconnect: false,
});
agent.on("connectionsuccess", ({ settings }) =>
  console.log(
    `Connected to ${where} as "${settings.clientId}" (MQTT ${settings.protocolVersion}, ` +
      `receive maximum ${settings.receiveMaximumToServer})`,
  ));
agent.on("disconnection", ({ error }) => console.log(`Disconnected: ${error.message}`));

/** The next message of a task's subscription, or an error after the echo timeout. */
async function nextEcho(echoes: ClientSubscription): Promise<InboundMessage> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`No echo on ${echoes.topicFilters[0]} within ${echoTimeoutMs} ms`)),
      echoTimeoutMs,
    );
  });
  try {
    const { value, done } = await Promise.race([echoes.next(), timeout]);
    if (done) throw new Error(`The subscription to ${echoes.topicFilters[0]} ended`);
    return value;
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

async function runTask(task: number): Promise<TaskReport> {
  const qos = (task % 2) as 0 | 1;
  const topic = `demo/agent/task-${task}`;
  const report: TaskReport = { task, qos, echoes: 0 };
  const echoes = agent.subscribe(topic, { qos: 1 });
  try {
    const { reasonCodes } = await echoes;
    if (reasonCodes[0] >= 0x80) {
      throw new Error(`Subscription refused (0x${reasonCodes[0].toString(16)})`);
    }
    for (let round = 0; round < rounds; round++) {
      const payload = `task ${task} round ${round}`;
      await agent.publish(topic, payload, { qos });
      const message = await nextEcho(echoes);
      if (new TextDecoder().decode(message.payload) !== payload) {
        throw new Error(`Round ${round}: echo does not match what was published`);
      }
      report.echoes++;
    }
    await echoes.unsubscribe();
  } catch (error) {
    report.error = (error as Error).message;
    await echoes.return();
  }
  return report;
}

await agent.start();
const reports = await Promise.all(Array.from({ length: tasks }, (_, task) => runTask(task)));
const stats = agent.stats();
await agent.stop();

const expected = tasks * rounds;
const received = reports.reduce((sum, report) => sum + report.echoes, 0);
for (const report of reports) {
  console.log(
    `task ${
      String(report.task).padStart(2)
    }  QoS ${report.qos}  ${report.echoes}/${rounds} echoes` +
      (report.error ? `  FAILED: ${report.error}` : ""),
  );
}
console.log(
  `${received}/${expected} echoes on one connection; operations left incomplete: ${stats.incompleteOperationCount}`,
);
if (received !== expected) Deno.exitCode = 1;
