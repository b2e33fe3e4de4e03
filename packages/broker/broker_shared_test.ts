import assert from "node:assert/strict";
import { Broker } from "./broker.ts";
import { RawClient } from "./testdata/raw_client.ts";
import { label, publish, text, VERSIONS } from "./testdata/helpers.ts";

for (const version of VERSIONS) {
  const name = label(version);

  Deno.test(`a shared subscription gives each message to one member of the group (${name})`, async () => {
    await using broker = new Broker();
    const members = [];
    for (const clientId of ["m1", "m2"]) {
      const { client } = await RawClient.connect(broker.connect(), version, { clientId });
      client.send({
        type: "subscribe",
        packetId: 1,
        subscriptions: [{ topicFilter: "$share/workers/jobs/#", qos: 1 }],
      });
      assert.deepEqual((await client.expect("suback")).reasonCodes, [1]);
      members.push(client);
    }
    const { client: plain } = await RawClient.connect(broker.connect(), version, {
      clientId: "all",
    });
    plain.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "jobs/#", qos: 0 }],
    });
    await plain.expect("suback");
    const { client: pub } = await RawClient.connect(broker.connect(), version, { clientId: "pub" });
    for (let i = 0; i < 4; i++) pub.send(publish("jobs/a", `job${i}`, { qos: 1, packetId: i + 1 }));
    const got: string[][] = [[], []];
    for (let m = 0; m < 2; m++) {
      for (let i = 0; i < 2; i++) {
        const message = await members[m].expect("publish");
        got[m].push(text(message.payload));
        members[m].send({ type: "puback", packetId: message.packetId! });
      }
    }
    assert.deepEqual([...got[0], ...got[1]].sort(), ["job0", "job1", "job2", "job3"]);
    assert.ok(await members[0].quiet(100) && await members[1].quiet(100));
    for (let i = 0; i < 4; i++) await plain.expect("publish");
    await Promise.all([...members, plain, pub].map((client) => client.close()));
  });

  Deno.test(`retained messages are not sent to a new shared subscription (${name})`, async () => {
    await using broker = new Broker();
    const { client } = await RawClient.connect(broker.connect(), version, { clientId: "s" });
    client.send(publish("jobs/r", "retained", { retain: true }));
    client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "$share/g/jobs/#", qos: 0 }],
    });
    await client.expect("suback");
    assert.ok(await client.quiet());
    await client.close();
  });
}

Deno.test("No Local on a shared subscription is a protocol error (MQTT 5)", async () => {
  await using broker = new Broker();
  const { client } = await RawClient.connect(broker.connect(), 5, { clientId: "nl" });
  client.send({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "$share/g/x", qos: 0, noLocal: true }],
  });
  assert.deepEqual((await client.ended()).map((p) => p.type === "disconnect" && p.reasonCode), [
    0x82,
  ]);
});

Deno.test("No Local keeps a client's own messages from coming back (MQTT 5)", async () => {
  await using broker = new Broker();
  const { client } = await RawClient.connect(broker.connect(), 5, { clientId: "self" });
  client.send({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "nl/#", qos: 0, noLocal: true }],
  });
  await client.expect("suback");
  client.send(publish("nl/x", "mine"));
  const { client: other } = await RawClient.connect(broker.connect(), 5, { clientId: "other" });
  other.send(publish("nl/x", "theirs"));
  assert.equal(text((await client.expect("publish")).payload), "theirs");
  await Promise.all([client.close(), other.close()]);
});
