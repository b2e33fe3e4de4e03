import assert from "node:assert/strict";
import {
  DEFAULT_MAXIMUM_PACKET_SIZE,
  mergeConnectUpdate,
  resolveOptions,
} from "./_session_options.ts";

Deno.test("resolveOptions() fills every default into one frozen table", () => {
  const options = resolveOptions({});
  assert.ok(Object.isFrozen(options));
  assert.equal(options.protocolVersion, 5);
  assert.equal(options.clientId, "");
  assert.equal(options.keepAlive, 60);
  assert.equal(options.maximumPacketSize, DEFAULT_MAXIMUM_PACKET_SIZE);
  assert.equal(options.maximumInflight, 65_535);
  assert.equal(options.inboundReceiveMaximum, 65_535);
  assert.equal(options.offlineQueuePolicy, "failQos0PublishOnDisconnect");
  assert.equal(options.maxQueuedOperations, 10_000);
  assert.equal(options.resubscribe, true);
  // CONNECT leaves out what was not given.
  assert.equal(options.receiveMaximum, undefined);
});

Deno.test("resolveOptions() keeps given values and stays within 20 in flight for MQTT 3.1.1", () => {
  assert.equal(resolveOptions({ protocolVersion: 4 }).maximumInflight, 20);
  const options = resolveOptions({ receiveMaximum: 10, keepAlive: 0, topicAliases: false });
  assert.deepEqual(
    [
      options.inboundReceiveMaximum,
      options.receiveMaximum,
      options.keepAlive,
      options.topicAliases,
    ],
    [10, 10, 0, false],
  );
});

Deno.test("mergeConnectUpdate() keeps what is left out and removes what is null", () => {
  const merged = mergeConnectUpdate(
    { clientId: "c", username: "u", password: "p" },
    { password: "fresh", username: null },
  );
  assert.deepEqual(merged, { clientId: "c", password: "fresh" });
});
