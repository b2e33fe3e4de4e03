import { quote } from "./_describe.ts";
import { stringProblem } from "./_utf8.ts";

/**
 * Checks that `topic` may be published to: a non-empty UTF-8 string of at most 65,535
 * bytes, without U+0000 and without the wildcards `+` and `#` [MQTT-4.7.0-1].
 *
 * Empty levels (`a//b`, `/a`, `a/`) and a leading `$` are allowed: they are valid topic
 * names, although a client should not publish to `$` topics.
 *
 * @param topic The topic name to check.
 * @throws {TypeError} If the name is invalid; the message names the rule it breaks.
 *
 * @example Reject a wildcard in a topic name
 * ```ts
 * import { validateTopicName } from "@tern/subscriptions";
 * import assert from "node:assert/strict";
 *
 * validateTopicName("sport/tennis/player1");
 * assert.throws(() => validateTopicName("sport/+"), {
 *   name: "TypeError",
 *   message: 'Invalid topic name "sport/+": contains the wildcard "+"',
 * });
 * ```
 */
export function validateTopicName(topic: string): void {
  if (typeof topic !== "string") {
    throw new TypeError(`Invalid topic name: expected a string, got ${typeof topic}`);
  }
  const problem = stringProblem(topic);
  if (problem) throw new TypeError(`Invalid topic name ${quote(topic)}: ${problem}`);
  for (const wildcard of ["+", "#"]) {
    if (topic.includes(wildcard)) {
      throw new TypeError(
        `Invalid topic name ${quote(topic)}: contains the wildcard "${wildcard}"`,
      );
    }
  }
}
