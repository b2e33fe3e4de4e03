import assert from "node:assert/strict";
import type { PublishPacket } from "@tern/codec";
import { TopicAliases } from "./_topic_aliases.ts";

const publish = (topic: string, topicAlias?: number): PublishPacket => ({
  type: "publish",
  topic,
  payload: new Uint8Array(0),
  qos: 0,
  retain: false,
  dup: false,
  properties: topicAlias === undefined ? undefined : { topicAlias },
});

Deno.test("outbound: an alias is assigned with the topic, then sent alone", () => {
  const aliases = new TopicAliases(0);
  assert.equal(aliases.choose("a"), 0);
  aliases.start(2);
  const alias = aliases.choose("a");
  assert.equal(alias, -1);
  assert.deepEqual(aliases.apply(publish("a"), alias).properties, { topicAlias: 1 });
  assert.equal(aliases.apply(publish("a"), alias).topic, "a");
  aliases.use("a", alias);
  assert.equal(aliases.choose("a"), 1);
  assert.equal(aliases.apply(publish("a"), 1).topic, "");
});

Deno.test("reset() forgets both directions", () => {
  const aliases = new TopicAliases(5);
  aliases.start(2);
  aliases.use("a", aliases.choose("a"));
  assert.equal(aliases.topicOf(publish("in", 3), true), "in");
  aliases.reset();
  assert.equal(aliases.choose("a"), 0);
  assert.deepEqual(aliases.topicOf(publish("", 3), true), {
    violation: "PUBLISH uses topic alias 3, which was never set",
    reasonCode: 0x82,
  });
});

Deno.test("inbound: an alias set with a topic resolves an empty topic later", () => {
  const aliases = new TopicAliases(2);
  assert.equal(aliases.topicOf(publish("a/b", 2), true), "a/b");
  assert.equal(aliases.topicOf(publish("", 2), true), "a/b");
  assert.equal(aliases.topicOf(publish("c", 2), true), "c");
  assert.equal(aliases.topicOf(publish("", 2), true), "c");
});

Deno.test("inbound: aliases outside 1 to the client's maximum are refused with 0x94", () => {
  const aliases = new TopicAliases(2);
  for (const alias of [0, 3]) {
    assert.deepEqual(aliases.topicOf(publish("t", alias), true), {
      violation: `PUBLISH uses topic alias ${alias}, outside 1 to 2`,
      reasonCode: 0x94,
    });
  }
});

Deno.test("inbound: no topic at all, or a wildcard, breaks the topic name rules", () => {
  const aliases = new TopicAliases(0);
  assert.deepEqual(aliases.topicOf(publish(""), true), {
    violation: "PUBLISH has an empty topic name and no topic alias",
    reasonCode: 0x82,
  });
  assert.deepEqual(aliases.topicOf(publish("a/+"), false), {
    violation: 'PUBLISH topic name "a/+" contains a wildcard',
    reasonCode: 0x90,
  });
  // MQTT 3.1.1 has no aliases: the property is not read.
  assert.equal(aliases.topicOf(publish("t", 9), false), "t");
});
