/** `examples/shadow.ts`, the FreeRTOS shadow demo, runs to completion on a real mosquitto. */
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
  assert.deepStrictEqual(stdout.trim().split("\n"), [
    "No shadow of demo-thing yet: No shadow exists with name: 'demo-thing'",
    "App: desired powerOn 1 accepted, version 1",
    "Device: delta version 1, powerOn 0 -> 1",
    "Device: now powerOn 1",
    "Device: reported powerOn 1, version 2",
    "App: desired powerOn 0 accepted, version 3",
    "Device: delta version 3, powerOn 1 -> 0",
    "Device: now powerOn 0",
    "Device: reported powerOn 0, version 4",
    "App: desired powerOn 1 accepted, version 5",
    "Device: delta version 5, powerOn 0 -> 1",
    "Device: now powerOn 1",
    "Device: reported powerOn 1, version 6",
    "Deleted the shadow (version 6); demo completed successfully",
  ]);
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
  assert.deepStrictEqual(stdout.trim().split("\n").slice(0, 2), [
    "Deleted the old shadow of lamp (version 2)",
    "App: desired powerOn 1 accepted, version 3",
  ]);
  assert.match(stdout, /Deleted the shadow \(version 6\); demo completed successfully\n$/);
});
