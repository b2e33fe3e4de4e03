import assert from "node:assert/strict";
import type { Packet } from "@tern/codec";
import type { Transport } from "@tern/transport";
import { MqttClient } from "./client.ts";
import { ClientStoppedError, ConnectionRefusedError } from "./errors.ts";
import type { ClientEventMap, ConnectAttempt, ReconnectPolicy } from "./client_options.ts";
import { startAgainst, startScriptedPeer } from "./testdata/scripted_peer.ts";

const connack: Packet = { type: "connack", sessionPresent: false, reasonCode: 0 };
const decode = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);

/** A reconnect policy that never waits and records how the runner calls it. */
function recordingPolicy(): ReconnectPolicy & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    connected: () => void calls.push("connected"),
    nextDelay: () => {
      calls.push("nextDelay");
      return 0;
    },
  };
}

function collect<K extends keyof ClientEventMap>(client: MqttClient, type: K) {
  const seen: ClientEventMap[K][] = [];
  client.on(type, (event) => seen.push(event));
  return seen;
}

const dead: Transport = { open: () => Promise.reject(new Error("connection refused")) };

Deno.test("the connect options provider runs before every attempt and its password goes into CONNECT", async () => {
  await using peer = startScriptedPeer(5);
  const contexts: Omit<ConnectAttempt, "signal">[] = [];
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "p",
    username: "device",
    password: "stale",
    reconnect: recordingPolicy(),
    connectOptionsProvider: ({ attempt, server, lastError }) => {
      contexts.push({ attempt, server, lastError });
      return Promise.resolve(attempt === 1 ? {} : { password: `token-${attempt}` });
    },
  });
  const failures = collect(client, "connectionfailure");
  const started = client.start();
  const first = await peer.accept();
  const connect1 = await first.next();
  assert.ok(connect1.type === "connect");
  assert.equal(decode(connect1.password), "stale");
  await first.send({ type: "connack", sessionPresent: false, reasonCode: 0x86 });
  const second = await peer.accept();
  const connect2 = await second.next();
  assert.ok(connect2.type === "connect");
  assert.equal(connect2.username, "device");
  assert.equal(decode(connect2.password), "token-2");
  await second.send(connack);
  await started;
  assert.deepEqual(contexts.map(({ attempt, server }) => [attempt, server]), [
    [1, peer.transport],
    [2, peer.transport],
  ]);
  assert.equal(contexts[0].lastError, undefined);
  assert.equal(contexts[1].lastError, failures[0].error);
  assert.ok(failures[0].error instanceof ConnectionRefusedError);
  assert.equal(failures[0].error.reasonCode, 0x86);
  await client.stop();
});

Deno.test("a provider's URL replaces the server for that attempt only", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({
    transport: dead,
    clientId: "u",
    reconnect: recordingPolicy(),
    connectOptionsProvider: ({ attempt }) => attempt === 1 ? { url: peer.url } : {},
    // The second attempt goes to the configured (dead) transport: stop there.
    shouldReconnect: (error) => error.message !== "connection refused",
  });
  const stopped = new Promise<ClientEventMap["stopped"]>((resolve) =>
    client.on("stopped", resolve)
  );
  const { started, server } = await startAgainst(peer, client);
  assert.equal((await server.next()).type, "connect");
  await server.send(connack);
  await started;
  await server.send({ type: "disconnect", reasonCode: 0x8b });
  assert.equal((await stopped).error?.message, "connection refused");
});

Deno.test("a provider that throws fails the attempt and the next attempt learns why", async () => {
  await using peer = startScriptedPeer(5);
  const lastErrors: (Error | undefined)[] = [];
  const broken = new Error("token service unavailable");
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "t",
    reconnect: recordingPolicy(),
    connectOptionsProvider: ({ attempt, lastError }) => {
      lastErrors.push(lastError);
      if (attempt === 1) throw broken;
      return { password: "ok" };
    },
  });
  const failures = collect(client, "connectionfailure");
  const { started, server } = await startAgainst(peer, client);
  assert.equal((await server.next()).type, "connect");
  await server.send(connack);
  await started;
  assert.deepEqual(failures.map((f) => f.error), [broken]);
  assert.deepEqual(lastErrors, [undefined, broken]);
  await client.stop();
});

Deno.test("a provider that never answers does not hold stop()", async () => {
  const asked = Promise.withResolvers<void>();
  const client = new MqttClient({
    transport: dead,
    clientId: "n",
    connectOptionsProvider: () => {
      asked.resolve();
      return new Promise(() => {});
    },
  });
  const started = client.start();
  await asked.promise;
  await client.stop();
  await assert.rejects(started, ClientStoppedError);
});

Deno.test("a provider returning something other than an object fails the attempt clearly", async () => {
  const client = new MqttClient({
    transport: dead,
    clientId: "x",
    reconnect: false,
    connectOptionsProvider: () => undefined as never,
  });
  await assert.rejects(
    client.start(),
    /Cannot connect: connectOptionsProvider must return an object, got undefined/,
  );
});

Deno.test("shouldReconnect returning false on a refusal stops the client without waiting", async () => {
  await using peer = startScriptedPeer(5);
  const policy = recordingPolicy();
  const asked: Error[] = [];
  const client = new MqttClient({
    transport: peer.transport,
    clientId: "h",
    reconnect: policy,
    shouldReconnect: (error) => {
      asked.push(error);
      return !(error instanceof ConnectionRefusedError);
    },
  });
  const attempts = collect(client, "attemptingconnect");
  const stopped = new Promise<ClientEventMap["stopped"]>((resolve) =>
    client.on("stopped", resolve)
  );
  const { started, server } = await startAgainst(peer, client);
  assert.equal((await server.next()).type, "connect");
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0x87 });
  const error = await started.then(() => undefined, (e) => e);
  assert.ok(error instanceof ConnectionRefusedError);
  assert.equal(error.reasonCode, 0x87);
  assert.equal((await stopped).error, error);
  assert.deepEqual(asked, [error]);
  assert.equal(attempts.length, 1);
  assert.deepEqual(policy.calls, []);
  assert.equal(client.running, false);
});

Deno.test("servers are tried in turn: a dead first server moves on without a delay", async () => {
  await using peer = startScriptedPeer(5);
  const policy = recordingPolicy();
  const client = new MqttClient({
    servers: [dead, peer.transport],
    clientId: "r",
    reconnect: policy,
  });
  const attempts = collect(client, "attemptingconnect");
  const failures = collect(client, "connectionfailure");
  const { started, server } = await startAgainst(peer, client);
  assert.equal((await server.next()).type, "connect");
  await server.send(connack);
  await started;
  assert.deepEqual(attempts.map((a) => [a.attempt, a.server]), [[1, dead], [2, peer.transport]]);
  assert.deepEqual(failures.map((f) => f.error.message), ["connection refused"]);
  assert.deepEqual(policy.calls, ["connected"]);
  await client.stop();
});

Deno.test("CONNACK 0x9C Use another server sends the next attempt to the server reference", async () => {
  await using first = startScriptedPeer(5);
  await using second = startScriptedPeer(5);
  const policy = recordingPolicy();
  const client = new MqttClient({ servers: [first.url], clientId: "s", reconnect: policy });
  const attempts = collect(client, "attemptingconnect");
  const started = client.start();
  const refusing = await first.accept();
  assert.equal((await refusing.next()).type, "connect");
  await refusing.send({
    type: "connack",
    sessionPresent: false,
    reasonCode: 0x9c,
    properties: { serverReference: new URL(second.url).host },
  });
  const accepting = await second.accept();
  assert.equal((await accepting.next()).type, "connect");
  await accepting.send(connack);
  await started;
  assert.deepEqual(attempts.map((a) => a.server), [first.url, second.url]);
  assert.deepEqual(policy.calls, ["connected"]);
  await client.stop();
});

Deno.test("a server DISCONNECT 0x9D Server moved reconnects to the new server from then on", async () => {
  await using first = startScriptedPeer(5);
  await using second = startScriptedPeer(5);
  const policy = recordingPolicy();
  const client = new MqttClient({ servers: [first.url], clientId: "m", reconnect: policy });
  const attempts = collect(client, "attemptingconnect");
  const started = client.start();
  const old = await first.accept();
  assert.equal((await old.next()).type, "connect");
  await old.send(connack);
  await started;
  const moved = second.accept();
  await old.send({
    type: "disconnect",
    reasonCode: 0x9d,
    properties: { serverReference: second.url },
  });
  const next = await moved;
  assert.equal((await next.next()).type, "connect");
  await next.send(connack);
  // Lost again without a reference: the moved entry is retried, after the reconnect delay.
  const again = second.accept();
  await next.send({ type: "disconnect", reasonCode: 0x8b });
  const third = await again;
  assert.equal((await third.next()).type, "connect");
  await third.send(connack);
  await new Promise<void>((resolve) => {
    if (policy.calls.length === 4) resolve();
    else client.on("connectionsuccess", () => resolve());
  });
  assert.deepEqual(attempts.map((a) => a.server), [first.url, second.url, second.url]);
  assert.deepEqual(policy.calls, ["connected", "connected", "nextDelay", "connected"]);
  await client.stop();
});

Deno.test("give exactly one of url, transport and servers", () => {
  assert.throws(
    () => new MqttClient({ url: "mqtt://127.0.0.1", servers: ["mqtt://127.0.0.1"] }),
    /Cannot create MqttClient: give exactly one of url, transport and servers/,
  );
  assert.throws(() => new MqttClient({}), /give exactly one of url, transport and servers/);
  assert.throws(() => new MqttClient({ servers: [] }), /servers must be a non-empty array/);
});
