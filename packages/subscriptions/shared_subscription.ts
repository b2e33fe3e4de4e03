import { SHARE_PREFIX, splitShared } from "./_shared.ts";
import { validateTopicFilter } from "./topic_filter.ts";

/**
 * The parts of an MQTT 5 shared subscription `$share/{shareName}/{topicFilter}`.
 *
 * @example Build the filter back from its parts
 * ```ts
 * import type { SharedSubscription } from "@tern/subscriptions";
 *
 * const shared: SharedSubscription = { shareName: "workers", topicFilter: "jobs/+" };
 * console.log(`$share/${shared.shareName}/${shared.topicFilter}`);
 * ```
 */
export interface SharedSubscription {
  /** The group of clients that share the messages. */
  shareName: string;
  /** The filter that topics are matched against. */
  topicFilter: string;
}

/**
 * Parses an MQTT 5 shared subscription `$share/{ShareName}/{filter}` [MQTT-4.8.2].
 *
 * Returns `undefined` for a filter that does not start with `$share/` (an ordinary
 * subscription). The share name must be non-empty and free of `/`, `+` and `#`
 * [MQTT-4.8.2-1] [MQTT-4.8.2-2], and a valid topic filter must follow it.
 *
 * @param filter A topic filter, shared or not.
 * @returns The share name and the topic filter, or `undefined` if `filter` is not shared.
 * @throws {TypeError} If `filter` is not a valid topic filter or shared subscription.
 *
 * @example Split a shared subscription
 * ```ts
 * import { parseSharedSubscription } from "@tern/subscriptions";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseSharedSubscription("$share/workers/jobs/+"), {
 *   shareName: "workers",
 *   topicFilter: "jobs/+",
 * });
 * assert.equal(parseSharedSubscription("jobs/+"), undefined);
 * assert.throws(() => parseSharedSubscription("$share/a+b/jobs"), TypeError);
 * ```
 */
export function parseSharedSubscription(filter: string): SharedSubscription | undefined {
  validateTopicFilter(filter);
  return filter.startsWith(SHARE_PREFIX) ? splitShared(filter) : undefined;
}
