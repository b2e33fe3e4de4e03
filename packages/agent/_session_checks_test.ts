import assert from "node:assert/strict";
import { createLimiter } from "./limits.ts";
import { negotiateSettings } from "./negotiated_settings.ts";
import {
  checkConnectLimits,
  checkDisconnect,
  checkPublish,
  checkSubscribe,
  checkUnsubscribe,
  refuse,
} from "./_session_checks.ts";

const payload = new Uint8Array(3);

Deno.test("the command checks return the approximate size a command queues", () => {
  assert.equal(checkPublish({ topic: "a/b", payload }, 5, undefined), 6);
  assert.equal(
    checkSubscribe({ subscriptions: [{ topicFilter: "a/#", qos: 1 }] }, 5, undefined),
    4,
  );
  assert.equal(checkUnsubscribe({ topicFilters: ["a", "bc"] }, 5, undefined), 3);
});

Deno.test("MQTT 5 arguments are refused on MQTT 3.1.1 with the reason", () => {
  assert.throws(
    () => checkPublish({ topic: "t", payload, properties: {} }, 4, undefined),
    { name: "TypeError", message: "Cannot publish: properties need MQTT 5" },
  );
  assert.throws(
    () =>
      checkSubscribe(
        { subscriptions: [{ topicFilter: "t", qos: 0, noLocal: true }] },
        4,
        undefined,
      ),
    { message: "Cannot subscribe: subscription options need MQTT 5" },
  );
  assert.throws(
    () => checkUnsubscribe({ topicFilters: ["t"], properties: {} }, 4, undefined),
    { message: "Cannot unsubscribe: properties need MQTT 5" },
  );
});

Deno.test("the broker's limits are checked after the arguments, before anything is queued", () => {
  const limits = createLimiter({ name: "test", maxPayloadBytes: 2 });
  assert.throws(() => checkPublish({ topic: "t", payload }, 5, limits), RangeError);
  assert.throws(() => checkPublish({ topic: "a/+", payload }, 5, limits), TypeError);
});

Deno.test("checkDisconnect() returns the DISCONNECT to send, and refuses what CONNECT ruled out", () => {
  assert.deepEqual(checkDisconnect({}, 4, undefined), { type: "disconnect" });
  assert.deepEqual(checkDisconnect({ reasonCode: 4 }, 5, undefined), {
    type: "disconnect",
    reasonCode: 4,
    properties: undefined,
  });
  assert.throws(() => checkDisconnect({ reasonCode: 4 }, 4, undefined), /need MQTT 5/);
  assert.throws(
    () => checkDisconnect({ properties: { sessionExpiryInterval: 5 } }, 5, undefined),
    /sessionExpiryInterval cannot be set when CONNECT asked for 0/,
  );
});

Deno.test("checkConnectLimits() checks the client id and will, and nothing without limits", () => {
  checkConnectLimits(undefined, "x".repeat(1000), {});
  const limits = createLimiter({ name: "test", maxClientIdBytes: 3 });
  assert.throws(() => checkConnectLimits(limits, "four", {}), RangeError);
  checkConnectLimits(limits, "abc", {});
});

Deno.test("refuse() names what the server said it does not support", () => {
  const settings = negotiateSettings(
    { type: "connect", clientId: "c", cleanStart: true, keepAlive: 0 },
    {
      type: "connack",
      sessionPresent: false,
      reasonCode: 0,
      properties: { sharedSubscriptionAvailable: false, wildcardSubscriptionAvailable: false },
    },
    5,
  );
  const subscribe = (topicFilter: string) => ({
    type: "subscribe" as const,
    packetId: 0,
    subscriptions: [{ topicFilter, qos: 0 as const }],
  });
  assert.equal(refuse(subscribe("$share/g/t"), settings)?.reasonCode, 0x9e);
  assert.equal(refuse(subscribe("a/#"), settings)?.reasonCode, 0xa2);
  assert.equal(refuse(subscribe("a/b"), settings), undefined);
});
