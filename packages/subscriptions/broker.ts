import type { QoS } from "./message.ts";

/**
 * One broker subscription as the manager asks for it: the fields of a SUBSCRIBE packet's
 * subscription entry plus the subscription identifier that goes into its properties.
 *
 * @example What the manager passes to `SubscriptionBroker.subscribe`
 * ```ts
 * import type { BrokerSubscription } from "@tern/subscriptions";
 *
 * const request: BrokerSubscription = {
 *   topicFilter: "sensors/+/temperature",
 *   qos: 1,
 *   noLocal: false,
 *   retainAsPublished: false,
 *   retainHandling: 0,
 *   subscriptionIdentifier: 1,
 * };
 * console.log(request.topicFilter);
 * ```
 */
export interface BrokerSubscription {
  /** The filter exactly as it goes on the wire, `$share/...` included. */
  topicFilter: string;
  /** The highest QoS any local subscriber of this filter asked for. */
  qos: QoS;
  /** MQTT 5: do not send this client's own publications back to it. */
  noLocal: boolean;
  /** MQTT 5: keep the RETAIN flag as published. */
  retainAsPublished: boolean;
  /** MQTT 5: 0 send retained messages on subscribe, 1 only if the subscription is new, 2 never. */
  retainHandling: 0 | 1 | 2;
  /**
   * MQTT 5 Subscription Identifier (1 to 268,435,455), unique among the manager's live
   * filters. Send it only when the server supports identifiers: MQTT 5 and CONNACK's
   * `subscriptionIdentifiersAvailable` not false.
   */
  subscriptionIdentifier: number;
}

/**
 * What the {@linkcode SubscriptionManager} needs from the MQTT client: one SUBSCRIBE or
 * UNSUBSCRIBE per call, completed by its SUBACK or UNSUBACK.
 *
 * @example A broker side that accepts everything (for a test)
 * ```ts
 * import type { BrokerSubscription, SubscriptionBroker } from "@tern/subscriptions";
 *
 * const sent: string[] = [];
 * const broker: SubscriptionBroker = {
 *   subscribe: (subscription: BrokerSubscription) => {
 *     sent.push(`SUBSCRIBE ${subscription.topicFilter}`);
 *     return Promise.resolve(subscription.qos);
 *   },
 *   unsubscribe: (topicFilter: string) => {
 *     sent.push(`UNSUBSCRIBE ${topicFilter}`);
 *     return Promise.resolve(0);
 *   },
 * };
 * ```
 */
export interface SubscriptionBroker {
  /**
   * Sends SUBSCRIBE for one filter and resolves with the SUBACK's reason code: the
   * granted QoS (0, 1, 2) or a failure code (0x80 and above; 0x80 in MQTT 3.1.1). Rejects
   * if the packet could not be sent or acknowledged (connection closed, client stopped).
   */
  subscribe(subscription: BrokerSubscription): Promise<number>;
  /**
   * Sends UNSUBSCRIBE for one filter and resolves with the UNSUBACK's reason code, or
   * `undefined` in MQTT 3.1.1 (which has none).
   */
  unsubscribe(topicFilter: string): Promise<number | undefined>;
}
