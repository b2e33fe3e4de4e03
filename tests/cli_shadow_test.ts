/**
 * `tern shadow get|update|delete|watch` as subprocesses against `tern shadow serve` on a
 * real mosquitto: documents on stdout as JSON lines, rejections on stderr with exit 1.
 */
import assert from "node:assert/strict";
import { startBroker } from "./support/broker.ts";
import { generateCertificates } from "./support/certs.ts";
import { LOG_SUBSCRIBE, spawnTern, subscribed, tern } from "./cli_support.ts";

Deno.test("tern shadow updates, reads, watches and deletes a shadow served by tern shadow serve", async () => {
  await using broker = await startBroker({ config: [LOG_SUBSCRIBE] });
  const url = ["-L", broker.url];
  const service = spawnTern(["shadow", "serve", ...url, "-i", "service"]);
  try {
    await service.printed("Shadow service on");
    const shadow = async (args: string[], stdin?: string) => {
      const run = await tern(["shadow", ...args, ...url], { stdin });
      return { ...run, json: run.code === 0 ? JSON.parse(run.stdout) : undefined };
    };

    const reported = await shadow([
      "update",
      "lamp1",
      "--name",
      "cfg",
      '{"reported":{"on":false}}',
    ]);
    assert.deepStrictEqual([reported.code, reported.stderr], [0, ""]);
    assert.deepStrictEqual([reported.json.state, reported.json.version], [{
      reported: { on: false },
    }, 1]);

    const watcher = spawnTern([
      "shadow",
      "watch",
      "lamp1",
      "--name",
      "cfg",
      "--deltas",
      "-C",
      "1",
      ...url,
      "-i",
      "watcher",
    ]);
    await subscribed(broker, "watcher", "$aws/things/lamp1/shadow/name/cfg/update/delta", {
      running: watcher,
    });
    const desired = await shadow(
      ["update", "lamp1", "--name", "cfg", "--version", "1", "-"],
      '{"desired":{"on":true}}',
    );
    assert.equal(desired.json.version, 2);
    const watched = await watcher.done;
    assert.deepStrictEqual([watched.code, watched.stderr], [0, ""]);
    const delta = JSON.parse(watched.stdout);
    assert.deepStrictEqual([delta.state, delta.version], [{ on: true }, 2]);

    const got = await shadow(["get", "lamp1", "--name", "cfg"]);
    assert.deepStrictEqual(got.json.state, {
      desired: { on: true },
      reported: { on: false },
      delta: { on: true },
    });
    const conflict = await shadow([
      "update",
      "lamp1",
      "--name",
      "cfg",
      "--version",
      "1",
      '{"desired":{"on":false}}',
    ]);
    assert.deepStrictEqual([conflict.code, conflict.stdout, conflict.stderr], [
      1,
      "",
      "Error: update rejected: 409 Version conflict\n",
    ]);
    assert.equal((await shadow(["delete", "lamp1", "--name", "cfg"])).json.version, 2);
    const missing = await shadow(["get", "lamp1", "--name", "cfg"]);
    assert.deepStrictEqual([missing.code, missing.stderr], [
      1,
      "Error: get rejected: 404 No shadow exists with name: 'cfg'\n",
    ]);
  } finally {
    const stopped = await service.stop("SIGTERM");
    assert.deepStrictEqual([stopped.code, stopped.stderr], [0, ""]);
    assert.equal(stopped.stdout, `Shadow service on ${broker.url}, shadows in memory\n`);
  }
});

Deno.test("tern shadow refuses a missing thing, a bad verb and state that is not a JSON object", async () => {
  const usage = (line: string) => ({
    code: 1,
    stdout: "",
    stderr: `Error: ${line}\nUse 'tern shadow --help' to see usage.\n`,
  });
  assert.deepStrictEqual(await tern(["shadow", "get"]), usage("No thing name given to get."));
  assert.deepStrictEqual(
    await tern(["shadow", "fetch", "x"]),
    usage("Unknown shadow command 'fetch'."),
  );
  assert.deepStrictEqual(
    await tern(["shadow", "update", "x", "[1]"]),
    usage('The state must be a JSON object: {"desired": {...}, "reported": {...}}.'),
  );
});

Deno.test("tern shadow reaches the shadow service through the AWS IoT mutual-TLS preset", async () => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs });
    const service = spawnTern(["shadow", "serve", "-L", broker.url]);
    try {
      await service.printed("Shadow service on");
      const iot = [
        ...["--aws-endpoint", "127.0.0.1", "-p", `${broker.mtlsPort}`, "--cafile", certs.caCert],
        ...["--aws-cert", certs.clientCert, "--aws-key", certs.clientKey, "-i", "device-1"],
      ];
      const updated = await tern([
        "shadow",
        "update",
        "device-1",
        '{"reported":{"up":true}}',
        ...iot,
      ]);
      assert.deepStrictEqual([updated.code, updated.stderr], [0, ""]);
      const got = await tern(["shadow", "get", "device-1", ...iot]);
      assert.deepStrictEqual(JSON.parse(got.stdout).state, { reported: { up: true } });
    } finally {
      await service.stop("SIGTERM");
    }
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
