// The client flow every runtime runs, as a user's program would: imports only `@tern/agent`
// (from the npm tarballs under Node and Bun, through a deno.json import map under Deno).
// argv[2]: JSON { url, clientId, transportOptions? }. Prints "restart-broker" when it wants
// the broker restarted, then one line of JSON with what happened. Started by
// tests/runtimes_test.ts.
import process from "node:process";
import { Backoff, connect } from "@tern/agent";

const { url, clientId, transportOptions } = JSON.parse(process.argv[2]);
const say = (line) => process.stdout.write(`${line}\n`);
const text = (payload) => new TextDecoder().decode(payload);

// The test's own deadline: a flow that hangs fails with what it was waiting for.
let waitingFor = "connect";
const deadline = setTimeout(() => {
  say(JSON.stringify({ error: `no progress while waiting for ${waitingFor}` }));
  process.exit(1);
}, 60_000);

// Deno reports a throwing handler as an uncaught error, which ends the process unless an
// "error" listener cancels it (EventTarget semantics); Node and Bun only log it.
globalThis.addEventListener?.("error", (event) => event.preventDefault());

const client = await connect(url, {
  clientId,
  transportOptions,
  reconnect: new Backoff({ minDelayMs: 100, maxDelayMs: 500 }),
});
const topic = `tern/flow/${clientId}`;
const result = { echoes: [], handlerThrew: false, afterThrow: null, reconnected: false };

waitingFor = "SUBACK";
const inbox = client.subscribe(`${topic}/#`, { qos: 2 });
result.granted = (await inbox).reasonCodes;
let threw;
const thrown = new Promise((resolve) => (threw = resolve));
await client.subscribe(`${topic}/boom`, {
  handler: () => {
    threw();
    throw new Error("A handler failing on purpose");
  },
});

async function echo(suffix, payload, qos) {
  waitingFor = `the echo of ${payload}`;
  await client.publish(`${topic}/${suffix}`, payload, { qos });
  const { value } = await inbox.next();
  return {
    topic: value.topic.slice(topic.length + 1),
    payload: text(value.payload),
    qos: value.qos,
  };
}

for (const qos of [0, 1, 2]) result.echoes.push(await echo("echo", `qos ${qos}`, qos));

await echo("boom", "boom", 1);
waitingFor = "the throwing handler";
await thrown;
result.handlerThrew = true;
result.afterThrow = await echo("echo", "still running", 1);

let lost = false;
const reconnected = new Promise((resolve) => {
  client.on("disconnection", () => (lost = true));
  client.on("connectionsuccess", ({ connack }) => {
    if (lost) resolve(connack.sessionPresent);
  });
});
waitingFor = "the broker restart";
say("restart-broker");
result.sessionPresentAfterRestart = await reconnected;
result.reconnected = true;
result.afterRestart = await echo("echo", "after restart", 1);

waitingFor = "stop";
await client.stop();
clearTimeout(deadline);
say(JSON.stringify(result));
