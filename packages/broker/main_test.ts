import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { startFromArgs } from "./main.ts";

Deno.test("startFromArgs serves TCP and WebSocket on the given host and summarizes on stop", async () => {
  const running = await startFromArgs([
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--ws-port",
    "0",
    "--quiet",
  ]);
  assert.equal(running.urls.length, 2);
  const client = new MqttClient({ url: running.urls[1], clientId: "cli", reconnect: false });
  await client.start();
  await client.publish("cli/x", "hello", { qos: 1 });
  await client.stop();
  assert.match(await running.stop(), /1 connections, 1 messages published/);
});

Deno.test("--deny-subscribe refuses a filter with 0x80 and grants the others", async () => {
  const running = await startFromArgs([
    "--port",
    "0",
    "--deny-subscribe",
    "test/nosubscribe",
    "--quiet",
  ]);
  const client = new MqttClient({ url: running.urls[0], reconnect: false });
  await client.start();
  const { reasonCodes } = await client.sendSubscribe(["test/nosubscribe", "test/allowed"], {
    qos: 2,
  });
  assert.deepEqual(reasonCodes, [0x80, 2]);
  await client.stop();
  await running.stop();
});

Deno.test("startFromArgs refuses a limit that is not a number", async () => {
  await assert.rejects(
    startFromArgs(["--port", "0", "--max-inflight", "many", "--quiet"]),
    /--max-inflight must be a non-negative integer, got many/,
  );
});

Deno.test("deno task broker logs connections and prints a one-line summary on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname, "--port", "0"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (!output.includes("listening on ")) output += (await lines.read()).value ?? "";
  const url = output.match(/listening on (\S+)/)![1];
  const client = new MqttClient({ url, clientId: "logged", reconnect: false });
  await client.start();
  await client.stop();
  while (!output.includes("disconnect logged")) output += (await lines.read()).value ?? "";
  child.kill("SIGTERM");
  for (let chunk = await lines.read(); !chunk.done; chunk = await lines.read()) {
    output += chunk.value;
  }
  await child.status;
  assert.match(output, /connect logged from 127\.0\.0\.1:\d+ \(MQTT 5\.0\)/);
  assert.match(output, /broker stopped after [\d.]+ s: 1 connections, 0 messages published/);
});
