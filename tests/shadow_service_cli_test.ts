/**
 * `deno task shadow-service` (`tern shadow serve`): the command runs the service on a real
 * mosquitto, keeps shadows in SQLite across restarts, and exits cleanly on SIGTERM.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ShadowClient } from "@tern/shadow";
import { startBroker } from "./support/broker.ts";
import { freePort } from "./support/free_port.ts";
import { agentConnector } from "./shadow_support.ts";

const CLI = fileURLToPath(new URL("../packages/cli/main.ts", import.meta.url));
const PERMISSIONS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env"];

/** Starts the command and resolves once it printed that it is serving. */
async function startCli(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, CLI, "shadow", "serve", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await lines.read();
  return {
    banner: value ?? "",
    async stop() {
      child.kill("SIGTERM");
      const [status, stderr] = await Promise.all([
        child.status,
        new Response(child.stderr).text(),
        lines.cancel(),
      ]);
      return { code: status.code, stderr };
    },
  };
}

Deno.test("shadow-service serves shadows from SQLite across restarts and exits 0 on SIGTERM", async () => {
  await using broker = await startBroker();
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/shadows.db`;
    const first = await startCli(["--url", broker.url, "--sqlite", path]);
    assert.equal(first.banner.trim(), `Shadow service on ${broker.url}, shadows in ${path}`);
    {
      await using connection = await agentConnector.connect(broker.url);
      await using shadow = new ShadowClient(connection, { thingName: "lamp1" });
      assert.equal((await shadow.update({ reported: { on: true } })).version, 1);
    }
    assert.deepStrictEqual(await first.stop(), { code: 0, stderr: "" });

    const second = await startCli(["--url", broker.url, "--sqlite", path]);
    {
      await using connection = await agentConnector.connect(broker.url);
      await using shadow = new ShadowClient(connection, { thingName: "lamp1" });
      const got = await shadow.get();
      assert.deepStrictEqual([got.state, got.version], [{ reported: { on: true } }, 1]);
    }
    assert.deepStrictEqual(await second.stop(), { code: 0, stderr: "" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shadow-service without a broker says the connection was refused and exits 1", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...PERMISSIONS,
      CLI,
      "shadow",
      "serve",
      "--url",
      `mqtt://127.0.0.1:${freePort()}`,
    ],
  }).output();
  assert.equal(output.code, 1);
  assert.equal(new TextDecoder().decode(output.stderr), "Error: Connection refused\n");
});
