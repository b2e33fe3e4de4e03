import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { dynamicSecurity } from "../../tests/support/dynamic_security.ts";
import { connectTo, startScriptedPeer } from "./testdata/scripted_peer.ts";
import { MqttClient } from "./client.ts";
import type { ClientEventMap } from "./client_options.ts";

for (const protocolVersion of [4, 5] as const) {
  Deno.test(`connectionfailure (MQTT ${protocolVersion}) carries the decoded CONNACK that refused`, async () => {
    await using broker = await startBroker({ config: ["allow_anonymous false"] });
    const client = new MqttClient({
      url: broker.url,
      protocolVersion,
      clientId: "refused",
      reconnect: false,
    });
    const failures: ClientEventMap["connectionfailure"][] = [];
    client.on("connectionfailure", (event) => failures.push(event));
    await assert.rejects(client.start());
    assert.equal(failures.length, 1);
    const { connack, error } = failures[0];
    assert.equal(connack?.type, "connack");
    assert.equal(connack?.reasonCode, protocolVersion === 5 ? 0x87 : 5);
    assert.equal(connack?.sessionPresent, false);
    assert.equal((error as { reasonCode?: number }).reasonCode, connack?.reasonCode);
  });
}

Deno.test("disconnection carries mosquitto's decoded DISCONNECT (0x98 after its administrator changed the client's role)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-dynsec-" });
  try {
    await using broker = await startBroker({ config: await dynamicSecurity(dir) });
    const client = new MqttClient({ url: broker.url, clientId: "kicked", reconnect: false });
    const stopped = new Promise((resolve) => client.on("stopped", resolve));
    const disconnections: ClientEventMap["disconnection"][] = [];
    client.on("disconnection", (event) => disconnections.push(event));
    await client.start();
    await client.publish(
      "$CONTROL/dynamic-security/v1",
      JSON.stringify({
        commands: [{
          command: "addRoleACL",
          rolename: "anonymous",
          acltype: "subscribePattern",
          topic: "any/#",
          allow: true,
        }],
      }),
      // The broker disconnects the client before its PUBACK could arrive.
      { qos: 1, wait: "sent" },
    );
    await stopped;
    assert.equal(disconnections.length, 1);
    const { disconnect, error } = disconnections[0];
    assert.equal(disconnect?.type, "disconnect");
    assert.equal(disconnect?.reasonCode, 0x98);
    assert.equal(error.reasonCode, 0x98);
    assert.equal(error.byServer, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// mosquitto 2.0 closes without a DISCONNECT on takeover and on shutdown: a scripted peer sends
// one with properties.
Deno.test("disconnection carries the server's decoded DISCONNECT, and none when the client closed", async () => {
  await using peer = startScriptedPeer(5);
  const client = new MqttClient({ transport: peer.transport, clientId: "told", reconnect: false });
  const disconnections: ClientEventMap["disconnection"][] = [];
  client.on("disconnection", (event) => disconnections.push(event));
  const server = await connectTo(peer, client);
  // Without reconnecting, the client stops after the disconnection.
  const stopped = new Promise((resolve) => client.on("stopped", resolve));
  await server.send({
    type: "disconnect",
    reasonCode: 0x8e,
    properties: { reasonString: "taken over", userProperties: [["by", "other"]] },
  });
  await stopped;
  const [told] = disconnections;
  assert.deepEqual(told.disconnect, {
    type: "disconnect",
    reasonCode: 0x8e,
    properties: { reasonString: "taken over", userProperties: [["by", "other"]] },
  });
  assert.equal(told.error.byServer, true);
  assert.equal(told.error.reasonCode, 0x8e);

  await connectTo(peer, client);
  await client.stop();
  assert.equal(disconnections.length, 2);
  assert.equal(disconnections[1].disconnect, undefined);
  assert.equal(disconnections[1].error.byServer, false);
});
