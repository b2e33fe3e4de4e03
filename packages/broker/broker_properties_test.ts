import assert from "node:assert/strict";
import { Broker } from "./broker.ts";
import { RawClient } from "./testdata/raw_client.ts";
import { bytes, publish } from "./testdata/helpers.ts";

async function pair(broker: Broker, filter: string, subscriptionIdentifier?: number) {
  const { client: sub } = await RawClient.connect(broker.connect(), 5, { clientId: "sub" });
  sub.send({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: filter, qos: 1 }],
    properties: subscriptionIdentifier ? { subscriptionIdentifier } : undefined,
  });
  await sub.expect("suback");
  const { client: pub } = await RawClient.connect(broker.connect(), 5, { clientId: "pub" });
  return { sub, pub };
}

Deno.test("user properties reach the subscriber unchanged and in order (MQTT 5)", async () => {
  await using broker = new Broker();
  const { sub, pub } = await pair(broker, "up/#");
  const userProperties: [string, string][] = [["b", "2"], ["a", "1"], ["b", "3"]];
  pub.send(publish("up/x", "m", { properties: { userProperties } }));
  assert.deepEqual((await sub.expect("publish")).properties?.userProperties, userProperties);
  await Promise.all([sub.close(), pub.close()]);
});

Deno.test("payload format indicator and content type are forwarded (MQTT 5)", async () => {
  await using broker = new Broker();
  const { sub, pub } = await pair(broker, "pf/#");
  pub.send(
    publish("pf/x", "{}", {
      properties: { payloadFormatIndicator: 1, contentType: "application/json" },
    }),
  );
  const message = await sub.expect("publish");
  assert.equal(message.properties?.payloadFormatIndicator, 1);
  assert.equal(message.properties?.contentType, "application/json");
  await Promise.all([sub.close(), pub.close()]);
});

Deno.test("response topic and correlation data make a request/response round trip (MQTT 5)", async () => {
  await using broker = new Broker();
  const { sub: server, pub: requester } = await pair(broker, "service/requests");
  requester.send({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: "replies/me", qos: 0 }],
  });
  await requester.expect("suback");
  const correlationData = bytes("req-1");
  requester.send(
    publish("service/requests", "ping", {
      properties: { responseTopic: "replies/me", correlationData },
    }),
  );
  const request = await server.expect("publish");
  assert.equal(request.properties?.responseTopic, "replies/me");
  server.send(publish(request.properties!.responseTopic!, "pong", {
    properties: { correlationData: request.properties!.correlationData },
  }));
  const response = await requester.expect("publish");
  assert.deepEqual([...response.properties!.correlationData!], [...correlationData]);
  await Promise.all([server.close(), requester.close()]);
});

Deno.test("subscription identifiers come back on every message their subscriptions match (MQTT 5)", async () => {
  await using broker = new Broker();
  const { sub, pub } = await pair(broker, "si/#", 11);
  sub.send({
    type: "subscribe",
    packetId: 2,
    subscriptions: [{ topicFilter: "si/+/deep", qos: 0 }],
    properties: { subscriptionIdentifier: 22 },
  });
  await sub.expect("suback");
  pub.send(publish("si/a/deep", "both"));
  pub.send(publish("si/b", "one"));
  const both = await sub.expect("publish");
  assert.deepEqual(both.properties?.subscriptionIdentifiers?.toSorted(), [11, 22]);
  assert.deepEqual((await sub.expect("publish")).properties?.subscriptionIdentifiers, [11]);
  await Promise.all([sub.close(), pub.close()]);
});

Deno.test("a client's topic alias stands for its topic on later PUBLISHes (MQTT 5)", async () => {
  await using broker = new Broker();
  const { sub, pub } = await pair(broker, "alias/#");
  pub.send(publish("alias/long/topic", "first", { properties: { topicAlias: 3 } }));
  pub.send(publish("", "second", { properties: { topicAlias: 3 } }));
  const first = await sub.expect("publish");
  const second = await sub.expect("publish");
  assert.deepEqual([first.topic, second.topic], ["alias/long/topic", "alias/long/topic"]);
  assert.equal(second.properties?.topicAlias, undefined);
  await Promise.all([sub.close(), pub.close()]);
});

Deno.test("a topic alias above the maximum or never set closes the connection (MQTT 5)", async () => {
  await using broker = new Broker({ limits: { topicAliasMaximum: 2 } });
  const { client, connack } = await RawClient.connect(broker.connect(), 5, { clientId: "a" });
  assert.equal(connack.properties?.topicAliasMaximum, 2);
  client.send(publish("t", "x", { properties: { topicAlias: 3 } }));
  assert.deepEqual((await client.ended()).map((p) => p.type === "disconnect" && p.reasonCode), [
    0x94,
  ]);
  const other = await RawClient.connect(broker.connect(), 5, { clientId: "b" });
  other.client.send(publish("", "x", { properties: { topicAlias: 1 } }));
  assert.deepEqual(
    (await other.client.ended()).map((p) => p.type === "disconnect" && p.reasonCode),
    [0x82],
  );
});

Deno.test("the broker uses topic aliases toward a client that allows them, and none otherwise (MQTT 5)", async () => {
  await using broker = new Broker();
  const { client: aliased } = await RawClient.connect(broker.connect(), 5, {
    clientId: "aliased",
    properties: { topicAliasMaximum: 1 },
  });
  const { client: plain } = await RawClient.connect(broker.connect(), 5, { clientId: "plain" });
  for (const client of [aliased, plain]) {
    client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "ta/#", qos: 2 }],
    });
    await client.expect("suback");
  }
  const { client: pub } = await RawClient.connect(broker.connect(), 5, { clientId: "pub" });
  pub.send(publish("ta/one", "a"));
  pub.send(publish("ta/one", "b"));
  pub.send(publish("ta/two", "c")); // no alias left for a second topic
  const seen = [];
  for (let i = 0; i < 3; i++) {
    const message = await aliased.expect("publish");
    seen.push([message.topic, message.properties?.topicAlias]);
  }
  assert.deepEqual(seen, [["ta/one", 1], ["", 1], ["ta/two", undefined]]);
  for (let i = 0; i < 3; i++) {
    const message = await plain.expect("publish");
    assert.equal(message.properties?.topicAlias, undefined);
    assert.notEqual(message.topic, "");
  }
  await Promise.all([aliased.close(), plain.close(), pub.close()]);
});
