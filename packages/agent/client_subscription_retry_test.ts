import assert from "node:assert/strict";
import { connectTo, expectPacket, startScriptedPeer } from "./testdata/scripted_peer.ts";
import { Backoff } from "./backoff.ts";
import { MqttClient } from "./client.ts";
import type { ClientEventMap } from "./client_options.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

// mosquitto 2.0's acl_file grants every SUBSCRIBE (it checks read access per message), so a
// scripted peer refuses: twice, then grants.
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
