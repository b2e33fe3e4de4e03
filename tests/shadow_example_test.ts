/**
 * `examples/shadow.ts`, the FreeRTOS shadow demo, runs to completion on a real mosquitto and,
 * with no `--url`, all in one process on the embedded broker.
 */
import assert from "node:assert/strict";
import { ShadowClient, ShadowService } from "@tern/shadow";
import { startBroker } from "./support/broker.ts";
import { agentConnector } from "./shadow_support.ts";
import { runExample } from "./support/run_example.ts";

const EXAMPLE = new URL("../examples/shadow.ts", import.meta.url);

Deno.test("examples/shadow.ts toggles powerOn through desired, delta and reported, with its own service", async () => {
  await using broker = await startBroker();
  const { code, stdout, stderr } = await runExample(EXAMPLE, {
    args: ["--url", broker.url, "--rounds", "3"],
  });
  assert.equal(stderr, "");
  assert.equal(code, 0);
  const lines = stdout.trim().split("\n");
  assert.equal(lines[0], "No shadow of demo-thing yet: No shadow exists with name: 'demo-thing'");
  assert.equal(lines.at(-1), "Deleted the shadow (version 6); demo completed successfully");
  // App and device are two connections: the service's accepted and delta messages reach
  // them in either order, so each one's lines are checked in its own order.
  const app = [
    "App: desired powerOn 1 accepted, version 1",
    "App: desired powerOn 0 accepted, version 3",
    "App: desired powerOn 1 accepted, version 5",
  ];
  assert.deepStrictEqual(lines.filter((line) => line.startsWith("App:")), app);
  assert.deepStrictEqual(lines.filter((line) => line.startsWith("Device:")), [
    "Device: delta version 1, powerOn 0 -> 1",
    "Device: now powerOn 1",
    "Device: reported powerOn 1, version 2",
    "Device: delta version 3, powerOn 1 -> 0",
    "Device: now powerOn 0",
    "Device: reported powerOn 0, version 4",
    "Device: delta version 5, powerOn 0 -> 1",
    "Device: now powerOn 1",
    "Device: reported powerOn 1, version 6",
  ]);
  assert.equal(lines.length, 14);
  // A round starts only once the device reported the previous one.
  assert.ok(lines.indexOf(app[1]) > lines.indexOf("Device: reported powerOn 1, version 2"));
  assert.ok(lines.indexOf(app[2]) > lines.indexOf("Device: reported powerOn 0, version 4"));
});

Deno.test("examples/shadow.ts works with a service that is already running, and deletes an old shadow first", async () => {
  await using broker = await startBroker();
  await using connection = await agentConnector.connect(broker.url);
  await using _service = await ShadowService.start(connection);
  await using shadow = new ShadowClient(connection, { thingName: "lamp" });
  await shadow.update({ reported: { powerOn: 0 } });
  await shadow.update({ reported: { powerOn: 0 } });
  const { code, stdout, stderr } = await runExample(EXAMPLE, {
    args: ["--url", broker.url, "--external-service", "--thing", "lamp"],
  });
  assert.equal(code, 0, stderr);
  // Re-created within 48 hours of the delete, the shadow continues from version 2.
  const lines = stdout.trim().split("\n");
  assert.equal(lines[0], "Deleted the old shadow of lamp (version 2)");
  assert.equal(
    lines.find((line) => line.startsWith("App:")),
    "App: desired powerOn 1 accepted, version 3",
  );
  assert.match(stdout, /Deleted the shadow \(version 6\); demo completed successfully\n$/);
});

Deno.test("examples/shadow.ts runs with nothing installed: embedded broker, service, device and app in one process", async () => {
  const { code, stdout, stderr } = await runExample(EXAMPLE, { args: ["--rounds", "2"] });
  assert.equal(stderr, "");
  assert.equal(code, 0);
  const lines = stdout.trim().split("\n");
  assert.equal(lines[0], "No shadow of demo-thing yet: No shadow exists with name: 'demo-thing'");
  assert.equal(lines.at(-1), "Deleted the shadow (version 4); demo completed successfully");
  assert.deepStrictEqual(lines.filter((line) => line.startsWith("Device: reported")), [
    "Device: reported powerOn 1, version 2",
    "Device: reported powerOn 0, version 4",
  ]);
});
