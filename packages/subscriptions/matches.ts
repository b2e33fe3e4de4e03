import { matchedFilter, matchLevels } from "./_match.ts";
import { validateTopicFilter } from "./topic_filter.ts";
import { validateTopicName } from "./topic_name.ts";

/**
 * Tells whether a message published to `topic` matches the subscription `filter`, by the
 * rules of MQTT 3.1.1 §4.7 and MQTT 5 §4.7: `+` matches exactly one level (which may be
 * empty), `#` matches any number of levels including the parent one, and a filter starting
 * with a wildcard does not match a topic starting with `$` [MQTT-4.7.2-1]. For a shared
 * subscription `$share/{group}/{filter}`, `filter` is matched.
 *
 * Both arguments are validated. To match one topic against many filters, use
 * {@linkcode TopicTrie}.
 *
 * @param filter A topic filter, possibly a shared subscription.
 * @param topic A topic name.
 * @returns Whether the topic matches the filter.
 * @throws {TypeError} If the filter or the topic is invalid.
 *
 * @example Wildcards and `$` topics
 * ```ts
 * import { matches } from "@tern/subscriptions";
 * import assert from "node:assert/strict";
 *
 * assert.equal(matches("sport/tennis/#", "sport/tennis"), true);
 * assert.equal(matches("sport/+", "sport/tennis/player1"), false);
 * assert.equal(matches("+/monitor/Clients", "$SYS/monitor/Clients"), false);
 * assert.equal(matches("$SYS/#", "$SYS/monitor/Clients"), true);
 * ```
 */
export function matches(filter: string, topic: string): boolean {
  validateTopicFilter(filter);
  validateTopicName(topic);
  return matchLevels(matchedFilter(filter).split("/"), topic.split("/"));
}
