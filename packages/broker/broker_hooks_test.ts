import assert from "node:assert/strict";
import { Broker } from "./broker.ts";
import type { BrokerEvents } from "./hooks.ts";
import { RawClient } from "./testdata/raw_client.ts";
import { bytes, label, publish, text, VERSIONS } from "./testdata/helpers.ts";

for (const version of VERSIONS) {
  const name = label(version);

  Deno.test(`authenticate accepts the right password and refuses a wrong one (${name})`, async () => {
    await using broker = new Broker({
      hooks: {
        authenticate: async ({ username, password }) => {
          await Promise.resolve();
          return username === "user" && text(password ?? new Uint8Array()) === "secret";
        },
      },
    });
    const ok = await RawClient.connect(broker.connect(), version, {
      clientId: "good",
      username: "user",
      password: bytes("secret"),
    });
    assert.equal(ok.connack.reasonCode, 0);
    const bad = await RawClient.connect(broker.connect(), version, {
      clientId: "bad",
      username: "user",
      password: bytes("guess"),
    });
    assert.equal(bad.connack.reasonCode, version === 5 ? 0x86 : 4);
    assert.deepEqual(await bad.client.ended(), []);
    await ok.client.close();
  });

  Deno.test(`authorizePublish keeps a refused message from subscribers (${name})`, async () => {
    await using broker = new Broker({
      hooks: { authorizePublish: ({ topic }) => !topic.startsWith("locked/") },
    });
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "p" });
    client.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "#", qos: 0 }] });
    await client.expect("suback");
    client.send(publish("locked/x", "no", { qos: 1, packetId: 1 }));
    assert.equal((await client.expect("puback")).reasonCode, version === 5 ? 0x87 : 0);
    client.send(publish("open/x", "yes", { qos: 1, packetId: 2 }));
    const packets = [await client.next(), await client.next()];
    const message = packets.find((p) => p.type === "publish");
    assert.ok(message?.type === "publish" && message.topic === "open/x");
    await client.close();
  });

  Deno.test(`connect, message and disconnect events describe what happened (${name})`, async () => {
    await using broker = new Broker();
    const events: string[] = [];
    broker.on(
      "connect",
      ({ client }: BrokerEvents["connect"]) => events.push(`connect ${client.clientId}`),
    );
    broker.on("message", ({ topic }) => events.push(`message ${topic}`));
    broker.on(
      "disconnect",
      ({ client, reasonCode }) => events.push(`disconnect ${client.clientId} ${reasonCode}`),
    );
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "ev" });
    client.send(publish("ev/x", "m"));
    client.send({ type: "disconnect" });
    await client.ended();
    assert.deepEqual(events, ["connect ev", "message ev/x", "disconnect ev 0"]);
  });
}

Deno.test("enhanced authentication runs a challenge through AUTH packets, and re-authentication too (MQTT 5)", async () => {
  const steps: number[] = [];
  await using broker = new Broker({
    hooks: {
      authenticate: ({ authenticationMethod, authenticationData, step }) => {
        steps.push(step);
        if (authenticationMethod !== "CHALLENGE") return { reasonCode: 0x8c };
        if (step === 0) return { continue: bytes("prove it") };
        return text(authenticationData!) === "proof" ? { success: true } : false;
      },
    },
  });
  const client = await RawClient.open(broker.connect(), 5);
  client.send({
    type: "connect",
    clientId: "enhanced",
    cleanStart: true,
    keepAlive: 0,
    properties: { authenticationMethod: "CHALLENGE" },
  });
  const challenge = await client.expect("auth");
  assert.equal(challenge.reasonCode, 0x18);
  assert.equal(text(challenge.properties!.authenticationData!), "prove it");
  const authentication = { authenticationMethod: "CHALLENGE", authenticationData: bytes("proof") };
  client.send({ type: "auth", reasonCode: 0x18, properties: authentication });
  const connack = await client.expect("connack");
  assert.equal(connack.reasonCode, 0);
  assert.equal(connack.properties?.authenticationMethod, "CHALLENGE");
  client.send({
    type: "auth",
    reasonCode: 0x19,
    properties: { authenticationMethod: "CHALLENGE" },
  });
  assert.equal((await client.expect("auth")).reasonCode, 0x18);
  client.send({ type: "auth", reasonCode: 0x18, properties: authentication });
  assert.equal((await client.expect("auth")).reasonCode, 0);
  assert.deepEqual(steps, [0, 1, 0, 1]);
  await client.close();
});

Deno.test("an authentication method without a hook to handle it is refused with 0x8C (MQTT 5)", async () => {
  await using broker = new Broker();
  const { client, connack } = await RawClient.connect(broker.connect(), 5, {
    clientId: "unknown-method",
    properties: { authenticationMethod: "SCRAM-SHA-1" },
  });
  assert.equal(connack.reasonCode, 0x8c);
  await client.ended();
});

Deno.test("a hook that throws refuses instead of breaking the connection", async () => {
  await using broker = new Broker({
    hooks: {
      authorizePublish: () => {
        throw new Error("database down");
      },
      authorizeSubscribe: () => Promise.reject(new Error("database down")),
    },
  });
  const { client } = await RawClient.connect(broker.connect(), 5, { clientId: "t" });
  client.send(publish("x", "m", { qos: 1, packetId: 1 }));
  assert.equal((await client.expect("puback")).reasonCode, 0x87);
  client.send({ type: "subscribe", packetId: 2, subscriptions: [{ topicFilter: "x", qos: 1 }] });
  assert.deepEqual((await client.expect("suback")).reasonCodes, [0x87]);
  await client.close();
});

Deno.test("reason codes and reason strings of DISCONNECT travel both ways (MQTT 5)", async () => {
  await using broker = new Broker();
  const reasons: string[] = [];
  broker.on("disconnect", ({ reasonCode, reason }) => reasons.push(`${reasonCode} ${reason}`));
  const { client } = await RawClient.connect(broker.connect(), 5, { clientId: "leaving" });
  client.send({ type: "disconnect", reasonCode: 0x04, properties: { reasonString: "going home" } });
  await client.ended();
  const { client: first } = await RawClient.connect(broker.connect(), 5, { clientId: "twin" });
  const { client: second } = await RawClient.connect(broker.connect(), 5, { clientId: "twin" });
  const [disconnect] = await first.ended();
  assert.ok(disconnect.type === "disconnect");
  assert.deepEqual([disconnect.reasonCode, disconnect.properties?.reasonString], [
    0x8e,
    "Session taken over",
  ]);
  assert.deepEqual(reasons, ["4 going home", "142 Session taken over"]);
  await second.close();
});
