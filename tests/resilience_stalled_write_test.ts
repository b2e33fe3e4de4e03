/**
 * Issue 6: a connection whose writes stall (the peer stopped reading and never sends a FIN)
 * is detected by the missing PINGRESP and replaced, although a write is still pending on it.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { startBroker } from "./support/broker.ts";
import { startFaultProxy } from "./support/fault_proxy.ts";
import { testBackoff, watchConnections } from "./support/resilience.ts";

Deno.test("a half-open connection with a stalled write is replaced and its QoS 1 publishes complete", async () => {
  await using broker = await startBroker();
  await using proxy = await startFaultProxy({ targetPort: broker.port });
  const client = new MqttClient({
    url: proxy.url,
    clientId: "stalled-writer",
    sessionExpiryInterval: 300,
    keepAlive: 1,
    pingTimeoutMs: 500,
    closeTimeoutMs: 500,
    reconnect: testBackoff(),
  });
  const connections = watchConnections(client);
  try {
    await client.start();
    proxy.halfOpen();
    // Far more than the socket buffers hold: the write stalls behind the silent peer.
    const big = new Uint8Array(256 * 1024);
    const publishes = Array.from({ length: 64 }, () => client.publish("big", big, { qos: 1 }));
    const results = await Promise.all(publishes);
    assert.ok(results.every((r) => r.reasonCode < 0x80));
    assert.ok(connections.losses >= 1);
    assert.ok(connections.successes.length >= 2);
  } finally {
    await client.stop();
  }
});
