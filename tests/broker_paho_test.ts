/**
 * The Paho interoperability suite's broker scenarios (MQTT 3.1.1 and 5.0), run by the
 * Eclipse Paho Python client (`tests/support/paho_scenarios.py`, Debian python3-paho-mqtt)
 * against `deno task broker`'s code on a free port, with `--deny-subscribe test/nosubscribe`
 * for the subscribe-failure scenario.
 */
import assert from "node:assert/strict";
import { startFromArgs } from "@tern/broker/main";

Deno.test("the Paho Python client passes the interoperability scenarios against the embedded broker", async () => {
  const running = await startFromArgs([
    "--port",
    "0",
    "--quiet",
    "--deny-subscribe",
    "test/nosubscribe",
  ]);
  try {
    const port = running.urls[0].split(":").at(-1)!;
    const script = new URL("./support/paho_scenarios.py", import.meta.url).pathname;
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command("/usr/bin/python3", {
        args: [script, port],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(180_000),
      }).output();
    } catch (error) {
      throw new Error("Cannot run /usr/bin/python3 (apt-get install python3-paho-mqtt)", {
        cause: error,
      });
    }
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    if (stderr.includes("No module named 'paho'")) {
      throw new Error("The Paho Python client is missing: apt-get install python3-paho-mqtt");
    }
    const failures = stdout.split("\n").filter((line) => line.startsWith("FAIL"));
    assert.deepEqual(failures, [], stdout + stderr);
    assert.equal(output.code, 0, stdout + stderr);
    const [, passed, total] = stdout.match(/(\d+)\/(\d+) passed/)!;
    assert.equal(passed, total);
  } finally {
    await running.stop();
  }
});
