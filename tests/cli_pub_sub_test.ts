/**
 * `tern pub` and `tern sub` as subprocesses against mosquitto, each side checked against
 * mosquitto_pub / mosquitto_sub: what one sends the other prints, byte for byte, over TCP,
 * WebSocket, TLS and mutual TLS, with MQTT 3.1.1 and 5 properties.
 */
import assert from "node:assert/strict";
import { startBroker } from "./support/broker.ts";
import { generateCertificates } from "./support/certs.ts";
import {
  LOG_SUBSCRIBE,
  mosquitto,
  spawnMosquitto,
  spawnTern,
  subscribed,
  tern,
  TERN_MAIN,
} from "./cli_support.ts";

const ok = (stdout: string) => ({ code: 0, stdout, stderr: "" });

Deno.test("tern pub sends -m, -f, -n, -l lines and -s --repeat that mosquitto_sub prints in order", async () => {
  await using broker = await startBroker({ config: [LOG_SUBSCRIBE] });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/payload.txt`, "from a file");
    const sub = spawnMosquitto("mosquitto_sub", [
      ...["-p", `${broker.port}`, "-i", "listener", "-t", "pub/#", "-v", "-q", "2", "-C", "8"],
    ]);
    await subscribed(broker, "listener", "pub/#", { running: sub });
    const port = ["-p", `${broker.port}`];
    assert.deepStrictEqual(
      await tern(["pub", ...port, "-t", "pub/m", "-m", "hello", "-q", "1"]),
      ok(""),
    );
    assert.deepStrictEqual(
      await tern(["pub", ...port, "-t", "pub/f", "-f", `${dir}/payload.txt`, "-q", "2"]),
      ok(""),
    );
    assert.deepStrictEqual(await tern(["pub", ...port, "-t", "pub/n", "-n"]), ok(""));
    assert.deepStrictEqual(
      await tern(["pub", "-L", `mqtt://127.0.0.1:${broker.port}/pub/l`, "-l", "-q", "1"], {
        stdin: "one\n\nthree",
      }),
      ok(""),
    );
    assert.deepStrictEqual(
      await tern(["pub", ...port, "-t", "pub/s", "-s", "--repeat", "2"], { stdin: "all\nof it" }),
      ok(""),
    );
    assert.deepStrictEqual(
      await sub.done,
      ok(
        "pub/m hello\npub/f from a file\npub/n (null)\npub/l one\npub/l (null)\npub/l three\n" +
          "pub/s all\nof it\npub/s all\nof it\n",
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tern sub prints what mosquitto_pub sends, with -v, -C, -T and -N like mosquitto_sub", async () => {
  await using broker = await startBroker({ config: [LOG_SUBSCRIBE] });
  const port = ["-p", `${broker.port}`];
  const args = ["-t", "sub/#", "-T", "sub/skip", "-q", "1", "-C", "2"];
  const ours = spawnTern(["sub", ...port, "-i", "ours", "-v", ...args]);
  const theirs = spawnMosquitto("mosquitto_sub", [...port, "-i", "theirs", "-v", ...args]);
  const raw = spawnTern(["sub", ...port, "-i", "raw", "-N", "-t", "sub/#", "-C", "3"]);
  await Promise.all([
    subscribed(broker, "ours", "sub/#", { running: ours }),
    subscribed(broker, "theirs", "sub/#", { running: theirs }),
    subscribed(broker, "raw", "sub/#", { running: raw }),
  ]);
  for (
    const [topic, message] of [["sub/a", "first"], ["sub/skip", "hidden"], ["sub/b", "second"]]
  ) {
    assert.equal(
      (await mosquitto("mosquitto_pub", [...port, "-t", topic, "-m", message, "-q", "1"])).code,
      0,
    );
  }
  const expected = ok("sub/a first\nsub/b second\n");
  assert.deepStrictEqual(await theirs.done, expected);
  assert.deepStrictEqual(await ours.done, expected);
  assert.deepStrictEqual(await raw.done, ok("firsthiddensecond"));
});

Deno.test("tern sub -F formats a retained message exactly as mosquitto_sub does", async () => {
  await using broker = await startBroker();
  const port = ["-p", `${broker.port}`];
  await mosquitto("mosquitto_pub", [...port, "-t", "fmt/1", "-m", "héllo", "-r", "-q", "1"]);
  const format = "%t|%p|%q|%r|%l|%x|%X|%10t|%-6l|%06l|%.3t|%%|@@|\\t|%j";
  // Received at QoS 0: a QoS 1 delivery's packet id (%m, "mid" in %j) is not in tern's message.
  const args = [...port, "-t", "fmt/#", "-C", "1", "-F", format];
  const [ours, theirs] = await Promise.all([
    tern(["sub", ...args]),
    mosquitto("mosquitto_sub", args),
  ]);
  assert.equal(ours.code, 0);
  assert.equal(ours.stderr, "");
  // %j carries the time of receipt: equal up to the timestamp.
  const withoutTime = (text: string) => text.replace(/"tst":"[^"]*"/, '"tst":"…"');
  assert.equal(withoutTime(ours.stdout), withoutTime(theirs.stdout));
  const fields = "fmt/1|héllo|0|1|6|68c3a96c6c6f|68C3A96C6C6F|     fmt/1|6     |000006|fmt|%|@|\t|";
  assert.equal(ours.stdout.slice(0, fields.length), fields);
});

Deno.test("MQTT 5 properties given with -D reach the other side in both directions", async () => {
  await using broker = await startBroker({ config: [LOG_SUBSCRIBE] });
  const port = ["-p", `${broker.port}`];
  const props = [
    ...["-D", "publish", "user-property", "colour", "blue"],
    ...["-D", "publish", "content-type", "text/plain"],
    ...["-D", "publish", "response-topic", "answers/here"],
    ...["-D", "publish", "message-expiry-interval", "600"],
  ];
  const format = ["-F", "%t %P|%C|%R|%p"];
  const ours = spawnTern([
    "sub",
    ...port,
    "-V",
    "5",
    "-i",
    "ours",
    "-t",
    "p5/theirs",
    "-C",
    "1",
    ...format,
  ]);
  const theirs = spawnMosquitto("mosquitto_sub", [
    ...port,
    "-V",
    "5",
    "-i",
    "theirs",
    "-t",
    "p5/ours",
    "-C",
    "1",
    ...format,
  ]);
  await Promise.all([
    subscribed(broker, "ours", "p5/theirs", { running: ours }),
    subscribed(broker, "theirs", "p5/ours", { running: theirs }),
  ]);
  assert.deepStrictEqual(
    await tern(["pub", ...port, "-t", "p5/ours", "-m", "x", "-q", "1", ...props]),
    ok(""),
  );
  const sent = await mosquitto("mosquitto_pub", [
    ...port,
    "-V",
    "5",
    "-t",
    "p5/theirs",
    "-m",
    "y",
    "-q",
    "1",
    ...props,
  ]);
  assert.equal(sent.code, 0);
  assert.deepStrictEqual(await theirs.done, ok("p5/ours colour:blue|text/plain|answers/here|x\n"));
  assert.deepStrictEqual(await ours.done, ok("p5/theirs colour:blue|text/plain|answers/here|y\n"));
});

Deno.test("tern sub -W exits 27 with 'Timed out' when nothing arrives, as mosquitto_sub does", async () => {
  await using broker = await startBroker();
  const args = ["-p", `${broker.port}`, "-t", "quiet/#", "-W", "1"];
  const [ours, theirs] = await Promise.all([
    tern(["sub", ...args]),
    mosquitto("mosquitto_sub", args),
  ]);
  assert.deepStrictEqual(theirs, { code: 27, stdout: "", stderr: "Timed out\n" });
  assert.deepStrictEqual(ours, theirs);
});

Deno.test("tern sub exits 0 on SIGTERM and tern sub -E once subscribed", async () => {
  await using broker = await startBroker({ config: [LOG_SUBSCRIBE] });
  const running = spawnTern(["sub", "-p", `${broker.port}`, "-i", "waiting", "-t", "term/#"]);
  await subscribed(broker, "waiting", "term/#", { running });
  assert.deepStrictEqual(await running.stop("SIGTERM"), ok(""));
  assert.deepStrictEqual(await tern(["sub", "-p", `${broker.port}`, "-t", "e/#", "-E"]), ok(""));
});

Deno.test("tern pub and tern sub work over WebSocket, TLS, mutual TLS and the AWS mTLS preset", async () => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs, websocket: true });
    const tls = ["--cafile", certs.caCert];
    const client = ["--cert", certs.clientCert, "--key", certs.clientKey];
    const cases: [string, string[]][] = [
      ["websocket", ["-L", `ws://127.0.0.1:${broker.wsPort}/`]],
      ["tls", ["-h", "127.0.0.1", "-p", `${broker.tlsPort}`, ...tls]],
      ["tls-insecure", ["-h", "localhost", "-p", `${broker.tlsPort}`, ...tls, "--insecure"]],
      ["mtls", ["-L", `mqtts://127.0.0.1:${broker.mtlsPort}`, ...tls, ...client]],
      ["aws-mtls", [
        ...["--aws-endpoint", "127.0.0.1", "-p", `${broker.mtlsPort}`, ...tls],
        ...["--aws-cert", certs.clientCert, "--aws-key", certs.clientKey],
      ]],
    ];
    for (const [name, connection] of cases) {
      const published = await tern([
        "pub",
        ...connection,
        "-t",
        `via/${name}`,
        "-m",
        name,
        "-r",
        "-q",
        "1",
      ]);
      assert.deepStrictEqual(published, ok(""), name);
      const received = await tern(["sub", ...connection, "-t", `via/${name}`, "-C", "1", "-v"]);
      assert.deepStrictEqual(received, ok(`via/${name} ${name}\n`), name);
    }
    const plain = await mosquitto("mosquitto_sub", [
      "-p",
      `${broker.port}`,
      "-t",
      "via/#",
      "-C",
      "5",
      "-W",
      "5",
    ]);
    assert.deepStrictEqual(
      plain.stdout.split("\n").sort().join(" ").trim(),
      "aws-mtls mtls tls tls-insecure websocket",
    );
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("tern sub -c keeps its session: QoS 1 messages sent while it was away arrive on its return", async () => {
  await using broker = await startBroker();
  const port = ["-p", `${broker.port}`];
  for (const version of [["-V", "311"], ["-V", "5", "-x", "60"]]) {
    const id = `keeper${version[1]}`;
    const session = [...port, ...version, "-c", "-i", id, "-q", "1", "-t", `kept/${id}`];
    assert.deepStrictEqual(await tern(["sub", ...session, "-E"]), ok(""), version.join(" "));
    const sent = await mosquitto("mosquitto_pub", [
      ...port,
      "-t",
      `kept/${id}`,
      "-m",
      "while away",
      "-q",
      "1",
    ]);
    assert.equal(sent.code, 0);
    assert.deepStrictEqual(
      await tern(["sub", ...session, "-C", "1", "-W", "10"]),
      ok("while away\n"),
    );
  }
  // -U ends the kept subscription: what is published afterwards waits for nobody.
  const kept = [...port, "-V", "5", "-x", "60", "-c", "-i", "keeper5", "-q", "1"];
  assert.deepStrictEqual(await tern(["sub", ...kept, "-U", "kept/keeper5", "-E"]), ok(""));
  await mosquitto("mosquitto_pub", [...port, "-t", "kept/keeper5", "-m", "unheard", "-q", "1"]);
  assert.deepStrictEqual(await tern(["sub", ...kept, "-t", "kept/other", "-W", "1"]), {
    code: 27,
    stdout: "",
    stderr: "Timed out\n",
  });
});

Deno.test("the will of a tern sub that dies reaches mosquitto_sub", async () => {
  await using broker = await startBroker({ config: [LOG_SUBSCRIBE] });
  const port = ["-p", `${broker.port}`];
  const watcher = spawnMosquitto("mosquitto_sub", [
    ...port,
    "-i",
    "watcher",
    "-t",
    "wills/#",
    "-v",
    "-C",
    "1",
  ]);
  await subscribed(broker, "watcher", "wills/#", { running: watcher });
  const dying = spawnTern([
    ...["sub", ...port, "-i", "dying", "-t", "anything", "--will-topic", "wills/dying"],
    ...[
      "--will-payload",
      "gone",
      "--will-qos",
      "1",
      "-V",
      "5",
      "-D",
      "will",
      "will-delay-interval",
      "0",
    ],
  ]);
  await subscribed(broker, "dying", "anything", { running: dying });
  await dying.stop("SIGKILL");
  assert.deepStrictEqual(await watcher.done, ok("wills/dying gone\n"));
});

Deno.test("tern sub with -D subscribe properties and -D disconnect properties still prints what arrives", async () => {
  await using broker = await startBroker();
  const port = ["-p", `${broker.port}`];
  await mosquitto("mosquitto_pub", [...port, "-t", "props/sub", "-m", "kept", "-r"]);
  const run = await tern([
    ...["sub", ...port, "-t", "props/sub", "-C", "1", "-v"],
    ...["-D", "subscribe", "user-property", "who", "me"],
    ...["-D", "disconnect", "session-expiry-interval", "0"],
  ]);
  assert.deepStrictEqual(run, ok("props/sub kept\n"));
});

Deno.test("tern sub exits 0 without a word when its reader goes away (tern sub | head -1)", async () => {
  await using broker = await startBroker();
  const port = ["-p", `${broker.port}`];
  await mosquitto("mosquitto_pub", [...port, "-t", "pipe/first", "-m", "first", "-r"]);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TERN_MAIN, "sub", ...port, "-t", "pipe/#"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "first\n");
  await reader.cancel();
  // Each message now fails to print; the first failure ends the run.
  const stderr = new Response(child.stderr).text();
  let status: Deno.CommandStatus | undefined;
  child.status.then((s) => (status = s));
  for (let i = 0; status === undefined && i < 100; i++) {
    await mosquitto("mosquitto_pub", [...port, "-t", "pipe/more", "-m", "more"]);
  }
  assert.deepStrictEqual([(await child.status).code, await stderr], [0, ""]);
});

Deno.test("tern sub reconnects after the broker restarts and goes on printing", async () => {
  await using broker = await startBroker({ config: [LOG_SUBSCRIBE] });
  const port = ["-p", `${broker.port}`];
  const running = spawnTern([
    "sub",
    ...port,
    "-i",
    "steady",
    "-t",
    "again/#",
    "-C",
    "2",
    "-W",
    "30",
  ]);
  await subscribed(broker, "steady", "again/#", { running });
  await mosquitto("mosquitto_pub", [...port, "-t", "again/1", "-m", "before"]);
  await running.printed("before\n");
  await broker.restart();
  // A fresh broker has no session: the client subscribes again once it is back.
  await subscribed(broker, "steady", "again/#", { running, times: 2 });
  await mosquitto("mosquitto_pub", [...port, "-t", "again/2", "-m", "after"]);
  assert.deepStrictEqual(await running.done, ok("before\nafter\n"));
});

Deno.test("tern sub -R skips retained messages and --retained-only stops at the first fresh one", async () => {
  await using broker = await startBroker({ config: [LOG_SUBSCRIBE] });
  const port = ["-p", `${broker.port}`];
  await mosquitto("mosquitto_pub", [...port, "-t", "stale/a", "-m", "old", "-r"]);
  const only = spawnTern(["sub", ...port, "-i", "only", "-t", "stale/#", "--retained-only", "-v"]);
  const fresh = spawnTern(["sub", ...port, "-i", "fresh", "-t", "stale/#", "-R", "-C", "1", "-v"]);
  await Promise.all([
    subscribed(broker, "only", "stale/#", { running: only }),
    subscribed(broker, "fresh", "stale/#", { running: fresh }),
  ]);
  await only.printed("stale/a old\n");
  await mosquitto("mosquitto_pub", [...port, "-t", "stale/b", "-m", "new"]);
  assert.deepStrictEqual(await only.done, ok("stale/a old\n"));
  assert.deepStrictEqual(await fresh.done, ok("stale/b new\n"));
});
