import assert from "node:assert/strict";
import { Broker } from "./broker.ts";
import { SqlitePersistence } from "./sqlite_persistence.ts";
import { RawClient } from "./testdata/raw_client.ts";
import { publish, text } from "./testdata/helpers.ts";

Deno.test("sessions, their queued messages and retained messages survive a restart with SqlitePersistence", async () => {
  const path = await Deno.makeTempFile({ suffix: ".db" });
  try {
    const before = new Broker({ persistence: new SqlitePersistence(path) });
    const first = await RawClient.connect(before.connect(), 5, {
      clientId: "durable",
      properties: { sessionExpiryInterval: 3600 },
    });
    first.client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "p/#", qos: 1 }],
      properties: { subscriptionIdentifier: 5 },
    });
    await first.client.expect("suback");
    await first.client.close();
    const { client: pub } = await RawClient.connect(before.connect(), 4, { clientId: "pub" });
    pub.send(
      publish("p/queued", "waiting", {
        qos: 1,
        packetId: 1,
        properties: { userProperties: [["k", "v"]] },
      }),
    );
    await pub.expect("puback");
    pub.send(publish("r/config", "kept", { retain: true, qos: 1, packetId: 2 }));
    await pub.expect("puback");
    await pub.close();
    await before.close();

    await using after = new Broker({ persistence: new SqlitePersistence(path) });
    assert.equal(after.stats().retained, 1);
    const again = await RawClient.connect(after.connect(), 5, {
      clientId: "durable",
      cleanStart: false,
    });
    assert.equal(again.connack.sessionPresent, true);
    const queued = await again.client.expect("publish");
    assert.deepEqual([queued.topic, text(queued.payload)], ["p/queued", "waiting"]);
    assert.deepEqual(queued.properties?.subscriptionIdentifiers, [5]);
    again.client.send({ type: "puback", packetId: queued.packetId! });
    again.client.send({
      type: "subscribe",
      packetId: 2,
      subscriptions: [{ topicFilter: "r/#", qos: 0 }],
    });
    await again.client.expect("suback");
    const retained = await again.client.expect("publish");
    assert.deepEqual([retained.topic, text(retained.payload), retained.retain], [
      "r/config",
      "kept",
      true,
    ]);
    await again.client.close();
  } finally {
    await Deno.remove(path);
    await Deno.remove(`${path}-wal`).catch(() => {});
    await Deno.remove(`${path}-shm`).catch(() => {});
  }
});
