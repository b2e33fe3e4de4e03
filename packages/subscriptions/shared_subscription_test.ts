import assert from "node:assert/strict";
import { parseSharedSubscription } from "./shared_subscription.ts";

Deno.test("parseSharedSubscription() splits the share name from the topic filter", () => {
  assert.deepEqual(parseSharedSubscription("$share/consumer1/sport/tennis/+"), {
    shareName: "consumer1",
    topicFilter: "sport/tennis/+",
  });
  assert.deepEqual(parseSharedSubscription("$share/g/#"), { shareName: "g", topicFilter: "#" });
  assert.deepEqual(parseSharedSubscription("$share/g//"), { shareName: "g", topicFilter: "/" });
});

Deno.test("parseSharedSubscription() returns undefined for an ordinary filter", () => {
  for (const filter of ["sport/#", "$share", "$SYS/#", "share/g/x", "$shared/g/x"]) {
    assert.equal(parseSharedSubscription(filter), undefined, filter);
  }
});

Deno.test("parseSharedSubscription() rejects a malformed share or filter", () => {
  for (const filter of ["$share/", "$share/g", "$share/g+/x", "$share/g/x#", "$share/g/\u0000"]) {
    assert.throws(() => parseSharedSubscription(filter), TypeError, filter);
  }
});
