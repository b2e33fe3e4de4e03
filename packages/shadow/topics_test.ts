import assert from "node:assert/strict";
import {
  matchShadowTopic,
  SHADOW_TOPIC_TYPES,
  shadowNameProblem,
  shadowTopic,
  shadowTopicPrefix,
} from "./topics.ts";

Deno.test("shadowTopic() assembles all eleven classic topics (§1.2)", () => {
  assert.deepStrictEqual(
    SHADOW_TOPIC_TYPES.map((type) => shadowTopic(type, { thingName: "lamp1" })),
    [
      "$aws/things/lamp1/shadow/get",
      "$aws/things/lamp1/shadow/get/accepted",
      "$aws/things/lamp1/shadow/get/rejected",
      "$aws/things/lamp1/shadow/delete",
      "$aws/things/lamp1/shadow/delete/accepted",
      "$aws/things/lamp1/shadow/delete/rejected",
      "$aws/things/lamp1/shadow/update",
      "$aws/things/lamp1/shadow/update/accepted",
      "$aws/things/lamp1/shadow/update/rejected",
      "$aws/things/lamp1/shadow/update/documents",
      "$aws/things/lamp1/shadow/update/delta",
    ],
  );
});

Deno.test("shadowTopic() puts named shadows under /shadow/name/{shadowName}/ (§1.2)", () => {
  assert.equal(
    shadowTopic("update", { thingName: "lamp1", shadowName: "namedShadow1" }),
    "$aws/things/lamp1/shadow/name/namedShadow1/update",
  );
});

Deno.test("the longest shadow topic is 234 bytes with 7 slashes (§1.2)", () => {
  const topic = shadowTopic("update/documents", {
    thingName: "t".repeat(128),
    shadowName: "s".repeat(64),
  });
  assert.equal(topic.length, 234);
  assert.equal(topic.split("/").length - 1, 7);
});

Deno.test("shadowTopic() rejects names that are empty, too long or contain / + # (§1.1)", () => {
  for (
    const name of [
      { thingName: "" },
      { thingName: "t".repeat(129) },
      { thingName: "a/b" },
      { thingName: "a+" },
      { thingName: "a#" },
      { thingName: "lamp1", shadowName: "" },
      { thingName: "lamp1", shadowName: "s".repeat(65) },
      { thingName: "lamp1", shadowName: "x/y" },
    ]
  ) {
    assert.throws(() => shadowTopic("get", name), TypeError, JSON.stringify(name));
  }
  assert.throws(
    () => shadowTopicPrefix({ thingName: "a/b" }),
    { message: 'Cannot assemble shadow topic: thing name "a/b" does not match [a-zA-Z0-9:_-]+' },
  );
});

Deno.test("shadowTopic() accepts the full allowed alphabets, $ only in shadow names (§1.1)", () => {
  assert.equal(shadowNameProblem({ thingName: "aZ09:_-", shadowName: "$aZ09:_-" }), undefined);
  assert.notEqual(shadowNameProblem({ thingName: "$lamp" }), undefined);
  assert.equal(
    shadowNameProblem({ thingName: "t".repeat(128), shadowName: "s".repeat(64) }),
    undefined,
  );
});

Deno.test("shadowTopic() refuses an unknown topic type", () => {
  // @ts-expect-error: not a topic type
  assert.throws(() => shadowTopic("update/+", { thingName: "lamp1" }), TypeError);
});

Deno.test("matchShadowTopic() inverts shadowTopic() for every type, classic and named", () => {
  for (const type of SHADOW_TOPIC_TYPES) {
    for (const name of [{ thingName: "lamp1" }, { thingName: "lamp1", shadowName: "cfg" }]) {
      assert.deepStrictEqual(matchShadowTopic(shadowTopic(type, name)), { type, ...name });
    }
  }
});

Deno.test("matchShadowTopic() returns undefined for topics that are not shadow topics", () => {
  for (
    const topic of [
      "",
      "$aws/things/",
      "$aws/things/lamp1",
      "$aws/things/lamp1/shadow",
      "$aws/things/lamp1/shadow/",
      "$aws/things//shadow/get",
      "$aws/things/lamp1/shadow/name//get",
      "$aws/things/lamp1/shadow/name/cfg",
      "$aws/things/lamp1/shadow/get/accepted/extra",
      "$aws/things/lamp1/shadow/update/+",
      "$aws/things/lamp1/shadows/get",
      "$aws/things/lamp1/shadow/namedShadow1/update",
      "$AWS/things/lamp1/shadow/get",
      "$aws/things/lamp1/shadow/GET",
      `$aws/things/${"t".repeat(129)}/shadow/get`,
      `$aws/things/lamp1/shadow/name/${"s".repeat(65)}/get`,
    ]
  ) {
    assert.equal(matchShadowTopic(topic), undefined, topic);
  }
});

Deno.test("matchShadowTopic() accepts the maximum name lengths", () => {
  assert.deepStrictEqual(
    matchShadowTopic(
      `$aws/things/${"t".repeat(128)}/shadow/name/${"s".repeat(64)}/delete/accepted`,
    ),
    { type: "delete/accepted", thingName: "t".repeat(128), shadowName: "s".repeat(64) },
  );
});
