import assert from "node:assert/strict";
import { connectTo, expectPacket, startScriptedPeer } from "./testdata/scripted_peer.ts";
import { startBroker } from "../../tests/support/broker.ts";
import { dynamicSecurity } from "../../tests/support/dynamic_security.ts";
import { Backoff } from "./backoff.ts";
import { MqttClient } from "./client.ts";
import type { ClientEventMap } from "./client_options.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

for (const protocolVersion of [4, 5] as const) {
  Deno.test(`a SUBSCRIBE mosquitto refuses (MQTT ${protocolVersion}) is retried with backoff and granted once an ACL allows it`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "tern-dynsec-" });
    try {
      await using broker = await startBroker({ config: await dynamicSecurity(dir) });
      // Changing a role disconnects its clients (0x98 Administrative action): they reconnect.
      const reconnect = () => new Backoff({ minDelayMs: 20, maxDelayMs: 100, jitter: "none" });
      const client = new MqttClient({
        url: broker.url,
        clientId: `dynsec-${protocolVersion}`,
        protocolVersion,
        reconnect: reconnect(),
      });
      const retries: ClientEventMap["subscriptionretry"][] = [];
      const refused = Promise.withResolvers<void>();
      client.on("subscriptionretry", (retry) => {
        retries.push(retry);
        refused.resolve();
      });
      await client.start();
      const secret = client.subscribe("secret/#", {
        qos: 1,
        retry: new Backoff({ minDelayMs: 20, maxDelayMs: 100, jitter: "none" }),
      });
      await refused.promise;
      assert.equal(retries[0].error.reasonCode, protocolVersion === 5 ? 0x87 : 0x80);
      assert.equal(secret.closed, false);

      // The broker's administrator allows the subscription: a retry that follows is granted.
      const admin = new MqttClient({ url: broker.url, clientId: "admin", reconnect: reconnect() });
      await admin.start();
      await admin.publish(
        "$CONTROL/dynamic-security/v1",
        JSON.stringify({
          commands: [{
            command: "addRoleACL",
            rolename: "anonymous",
            acltype: "subscribePattern",
            topic: "secret/#",
            priority: 0,
            allow: true,
          }],
        }),
        { qos: 1 },
      );
      assert.deepEqual((await secret).reasonCodes, [1]);
      assert.deepEqual(retries.map((r) => r.attempt), retries.map((_, i) => i + 1));

      // Retained: it arrives even if a late kick made the client subscribe once more.
      await admin.publish("secret/plan", "granted at last", { qos: 1, retain: true });
      for await (const message of secret) {
        assert.equal(text(message.payload), "granted at last");
        break;
      }
      await admin.stop();
      await client.stop();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

// A scripted peer refuses twice, then grants: the exact sequence and delays.
for (const protocolVersion of [4, 5] as const) {
  Deno.test(`a refused subscription (MQTT ${protocolVersion}) is retried with backoff until granted, then receives`, async () => {
    await using peer = startScriptedPeer(protocolVersion);
    const client = new MqttClient({
      transport: peer.transport,
      clientId: `retry-${protocolVersion}`,
      protocolVersion,
      reconnect: false,
    });
    const retries: ClientEventMap["subscriptionretry"][] = [];
    client.on("subscriptionretry", (retry) => retries.push(retry));
    const server = await connectTo(peer, client);
    const secret = client.subscribe("secret/#", {
      qos: 1,
      retry: new Backoff({ minDelayMs: 5, maxDelayMs: 20, jitter: "none" }),
    });
    const refusal = protocolVersion === 5 ? 0x87 : 0x80;
    for (const code of [refusal, refusal, 1]) {
      const subscribe = await expectPacket(server, "subscribe");
      assert.equal(subscribe.subscriptions[0].topicFilter, "secret/#");
      await server.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [code] });
    }
    assert.deepEqual((await secret).reasonCodes, [1]);
    assert.deepEqual(
      retries.map((r) => [r.topicFilter, r.error.reasonCode, r.attempt, r.delayMs]),
      [["secret/#", refusal, 1, 5], ["secret/#", refusal, 2, 10]],
    );
    await server.send({
      type: "publish",
      topic: "secret/plan",
      payload: new TextEncoder().encode("granted at last"),
      qos: 0,
      retain: false,
      dup: false,
    });
    for await (const message of secret) {
      assert.equal(text(message.payload), "granted at last");
      break;
    }
    await client.stop();
  });
}

Deno.test("a retry policy that gives up leaves the failure code as the subscription's result", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "gives", reconnect: false });
  const server = await connectTo(peer, client);
  let refusals = 0;
  const retries: number[] = [];
  client.on("subscriptionretry", (retry) => retries.push(retry.delayMs));
  const refused = client.subscribe("never", {
    retry: { nextDelay: () => (++refusals <= 2 ? refusals : undefined) },
  });
  for (let answer = 0; answer < 3; answer++) {
    const subscribe = await expectPacket(server, "subscribe");
    await server.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [0x97] });
  }
  assert.deepEqual((await refused).reasonCodes, [0x97]);
  assert.deepEqual(retries, [1, 2]);
  assert.equal(refused.closed, true);
  await client.stop();
});

Deno.test("stopping the client ends a subscription waiting to retry", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "stops", reconnect: false });
  const server = await connectTo(peer, client);
  const waiting = new Promise((resolve) => client.on("subscriptionretry", resolve));
  const refused = client.subscribe("never", { retry: new Backoff({ minDelayMs: 60_000 }) });
  const subscribe = await expectPacket(server, "subscribe");
  await server.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [0x87] });
  await waiting;
  await client.stop();
  await assert.rejects(refused.next(), { name: "ClientStoppedError" });
  // Nothing but the DISCONNECT followed the one SUBSCRIBE.
  assert.deepEqual((await server.closed()).map((p) => p.type), ["disconnect"]);
});
