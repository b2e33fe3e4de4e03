import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { connectTo, expectPacket, startScriptedPeer } from "./testdata/scripted_peer.ts";
import { MqttClient } from "./client.ts";
import { ConnectionClosedError, TimeoutError } from "./errors.ts";

for (const protocolVersion of [4, 5] as const) {
  Deno.test(`ping() (MQTT ${protocolVersion}) gets mosquitto's PINGRESP and the round trip`, async () => {
    await using broker = await startBroker();
    const client = new MqttClient({
      url: broker.url,
      clientId: `pinger-${protocolVersion}`,
      protocolVersion,
      reconnect: false,
    });
    await assert.rejects(client.ping(), {
      name: "ConnectionClosedError",
      message: "Cannot ping: the client is not connected",
    });
    await client.start();
    const [first, second] = await Promise.all([client.ping(), client.ping({ timeoutMs: 5000 })]);
    assert.ok(Number.isFinite(first.roundTripMs) && first.roundTripMs >= 0);
    assert.equal(second.roundTripMs, first.roundTripMs);
    const again = await client.ping();
    assert.ok(again.roundTripMs >= 0);
    assert.equal(client.state, "connected");
    await client.stop();
  });
}

Deno.test("ping() gives up on timeoutMs or abort while the PINGRESP is held, and fails when the connection closes", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "held", reconnect: false });
  const server = await connectTo(peer, client);
  await assert.rejects(client.ping({ timeoutMs: 20 }), TimeoutError);
  await expectPacket(server, "pingreq");
  const controller = new AbortController();
  const aborted = client.ping({ signal: controller.signal });
  controller.abort(new Error("no longer needed"));
  await assert.rejects(aborted, { message: "no longer needed" });
  // The first PINGREQ is still outstanding: this ping waits for it, and the link drops.
  const lost = client.ping();
  await server.send({ type: "disconnect", reasonCode: 0x8b });
  await assert.rejects(lost, ConnectionClosedError);
  await client.stop();
});

Deno.test("ping() resolves once the held PINGRESP is released", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "held", reconnect: false });
  const server = await connectTo(peer, client);
  let settled = false;
  const ping = client.ping().finally(() => settled = true);
  await expectPacket(server, "pingreq");
  assert.equal(settled, false);
  await server.send({ type: "pingresp" });
  assert.ok((await ping).roundTripMs >= 0);
  await client.stop();
});
