import type { SessionStats } from "./session_types.ts";

/**
 * What {@linkcode MqttClient.stats} reports: the session's operation counts, the
 * messages that matched no local subscription, those the subscriptions dropped (QoS 0)
 * and those held unacknowledged until a subscription takes them (QoS 1 / 2).
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
 *   droppedMessages: 0,
 *   heldMessages: 0,
 *   ignoredAcknowledgements: 0,
 * }));
 * ```
 */
export interface ClientStats extends SessionStats {
  /**
   * Messages no local subscription took (and no request waited for): they went to the
   * "message" event, e.g. those of filters subscribed with `sendSubscribe`.
   */
  unmatchedMessages: number;
  /** QoS 0 messages the local subscriptions' `overflow` policies dropped. */
  droppedMessages: number;
  /**
   * QoS 1 / 2 messages received and not yet acknowledged, because a local subscription has
   * not taken them yet (a full buffer, a handler still running, a manual `ack()` not called).
   * Each holds one slot of the client's Receive Maximum.
   */
  heldMessages: number;
  /** Acknowledgements for a packet identifier with nothing in flight, ignored. */
  ignoredAcknowledgements: number;
}
