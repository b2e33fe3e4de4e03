/**
 * `tern broker` as a subprocess, with mosquitto_pub / mosquitto_sub and `tern pub` / `tern
 * sub` against it; and the not-authorized paths of `tern pub|sub` against the embedded
 * broker's hooks, beside mosquitto's clients (the mosquitto-broker versions are in
 * cli_errors_test.ts and cli_pub_sub_test.ts).
 */
import assert from "node:assert/strict";
import { Broker } from "@tern/broker";
import { freePort } from "./support/free_port.ts";
import { check, mosquitto, spawnTern, tern } from "./cli_support.ts";

Deno.test("tern broker --help and bad flags exit as the other commands do", async () => {
  const help = await tern(["broker", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: tern broker \[options\]/);
  assert.match(help.stdout, /--deny-subscribe FILTER/);
  assert.deepEqual(await tern(["broker", "--max-inflight", "x"]), {
    code: 1,
    stdout: "",
    stderr: "Error: --max-inflight must be a non-negative integer, got x\n" +
      "Use 'tern broker --help' to see usage.\n",
  });
  const unknown = await tern(["broker", "--bogus"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^Error: Unknown option '--bogus'/);
});

Deno.test("tern broker carries retained messages between mosquitto's clients and tern's, and stops on SIGTERM", async () => {
  const port = freePort();
  const broker = spawnTern(["broker", "--port", `${port}`, "--deny-subscribe", "secret/#"]);
  try {
    await broker.printed(`listening on mqtt://127.0.0.1:${port}`);
    const p = ["-p", `${port}`];
    // tern pub → mosquitto_sub, both protocol versions.
    assert.equal((await tern(["pub", ...p, "-t", "kept/ours", "-m", "from tern", "-r"])).code, 0);
    assert.deepEqual(
      await mosquitto("mosquitto_sub", [...p, "-t", "kept/ours", "-C", "1", "-V", "5", "-W", "5"]),
      { code: 0, stdout: "from tern\n", stderr: "" },
    );
    // mosquitto_pub → tern sub.
    const sent = await mosquitto("mosquitto_pub", [...p, "-t", "kept/theirs", "-m", "hi", "-r"]);
    assert.equal(sent.code, 0);
    assert.deepEqual(
      await tern(["sub", ...p, "-t", "kept/#", "-v", "-C", "2", "-W", "5"]),
      { code: 0, stdout: "kept/ours from tern\nkept/theirs hi\n", stderr: "" },
    );
    // --deny-subscribe: both subscribers are refused alike, and exit 0 after saying so.
    const [ours, theirs] = await Promise.all([
      tern(["sub", ...p, "-t", "secret/x", "-V", "5", "-W", "5"]),
      mosquitto("mosquitto_sub", [...p, "-t", "secret/x", "-V", "5", "-W", "5"]),
    ]);
    assert.deepEqual(ours, theirs);
    assert.deepEqual(ours, {
      code: 0,
      stdout: "",
      stderr: "All subscription requests were denied.\n",
    });
  } finally {
    const run = await broker.stop("SIGTERM");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /connect tern-\S+ from 127\.0\.0\.1:\d+ \(MQTT 3\.1\.1\)/);
    assert.match(
      run.stdout,
      /broker stopped after [\d.]+ s: \d+ connections, \d+ messages published, \d+ sessions, 2 retained messages\n$/,
    );
  }
});

Deno.test("the embedded broker's hooks refuse tern pub and tern sub as mosquitto's password file and ACL do", async () => {
  const text = (bytes?: Uint8Array) => bytes && new TextDecoder().decode(bytes);
  await using broker = new Broker({
    hooks: {
      authenticate: ({ username, password }) =>
        username === "alice" && text(password) === "secret" ? true : { reasonCode: 0x87 },
      authorizePublish: ({ topic }) => topic.startsWith("allowed/"),
    },
  });
  const listener = await broker.listen({ port: 0 });
  const port = ["-p", new URL(listener.url).port];
  const alice = [...port, "-u", "alice", "-P", "secret"];
  await check([
    {
      name: "anonymous 3.1.1",
      tool: "pub",
      args: [...port, "-t", "a", "-m", "x"],
      code: 5,
      stderr: "Connection error: Connection Refused: not authorised.\n",
    },
    {
      name: "anonymous 5",
      tool: "pub",
      args: [...port, "-t", "a", "-m", "x", "-V", "5"],
      code: 135,
      stderr: "Connection error: Not authorized\n",
    },
    {
      name: "anonymous sub 5",
      tool: "sub",
      args: [...port, "-t", "a", "-V", "5"],
      code: 135,
      stderr: "Connection error: Not authorized\n",
    },
    {
      name: "wrong password sub",
      tool: "sub",
      args: [...port, "-u", "bob", "-P", "x", "-t", "a"],
      code: 5,
      stderr: "Connection error: Connection Refused: not authorised.\n",
    },
    {
      name: "denied by the hook",
      tool: "pub",
      args: [...alice, "-V", "5", "-q", "1", "-t", "denied", "-m", "x"],
      code: 0,
      stderr: "Warning: Publish 1 failed: Not authorized.\n",
      sameAsMosquitto: true,
    },
    {
      name: "allowed",
      tool: "pub",
      args: [...alice, "-V", "5", "-q", "1", "-t", "allowed/x", "-m", "x"],
      code: 0,
      stderr: "",
      sameAsMosquitto: true,
    },
  ]);
});
