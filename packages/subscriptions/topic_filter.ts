import { quote } from "./_describe.ts";
import { filterLevelsProblem } from "./_filter_levels.ts";
import { SHARE_PREFIX, splitShared } from "./_shared.ts";
import { stringProblem } from "./_utf8.ts";

/**
 * Checks that `filter` may be subscribed to: a non-empty UTF-8 string of at most 65,535
 * bytes without U+0000, where `#` stands alone as the last level [MQTT-4.7.1-1] and `+`
 * stands alone in its level [MQTT-4.7.1-2].
 *
 * A filter starting with `$share/` is checked as an MQTT 5 shared subscription
 * (see {@linkcode parseSharedSubscription}).
 *
 * @param filter The topic filter to check.
 * @throws {TypeError} If the filter is invalid; the message names the rule it breaks.
 *
 * @example Reject a multi-level wildcard that is not last
 * ```ts
 * import { validateTopicFilter } from "@tern/subscriptions";
 * import assert from "node:assert/strict";
 *
 * validateTopicFilter("sport/+/player1/#");
 * assert.throws(() => validateTopicFilter("a/#/b"), {
 *   name: "TypeError",
 *   message: 'Invalid topic filter "a/#/b": "#" must be the last level',
 * });
 * ```
 */
export function validateTopicFilter(filter: string): void {
  if (typeof filter !== "string") {
    throw new TypeError(`Invalid topic filter: expected a string, got ${typeof filter}`);
  }
  const problem = stringProblem(filter);
  if (problem) throw new TypeError(`Invalid topic filter ${quote(filter)}: ${problem}`);
  if (filter.startsWith(SHARE_PREFIX)) {
    splitShared(filter);
    return;
  }
  const levels = filterLevelsProblem(filter);
  if (levels) throw new TypeError(`Invalid topic filter ${quote(filter)}: ${levels}`);
}
