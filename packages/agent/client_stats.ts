import type { SessionStats } from "./session_types.ts";

/**
 * What {@linkcode MqttClient.stats} reports: the session's operation counts, and the
 * messages that matched no local subscription.
 *
 * @example Watch for messages nobody subscribed to locally
 * ```ts
 * import type { ClientStats } from "@tern/agent";
 *
 * function report(stats: ClientStats): string {
 *   return `${stats.incompleteOperationCount} pending, ${stats.unmatchedMessages} unmatched`;
 * }
 * console.log(report({
 *   incompleteOperationCount: 0,
 *   incompleteOperationSize: 0,
 *   unackedOperationCount: 0,
 *   unackedOperationSize: 0,
 *   unmatchedMessages: 2,
 * }));
 * ```
 */
export interface ClientStats extends SessionStats {
  /**
   * Messages no local subscription took (and no request waited for): they went to the
   * "message" event, e.g. those of filters subscribed with `sendSubscribe`.
   */
  unmatchedMessages: number;
}
