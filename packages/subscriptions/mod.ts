/**
 * `@tern/subscriptions`: MQTT topic validation, topic filter matching, a filter trie and
 * the local fan-out that lets many callers share one connection's broker subscriptions.
 *
 * @module
 */
export { validateTopicName } from "./topic_name.ts";
export { validateTopicFilter } from "./topic_filter.ts";
export { parseSharedSubscription, type SharedSubscription } from "./shared_subscription.ts";
export { matches } from "./matches.ts";
export { TopicTrie } from "./topic_trie.ts";
export { SubscriptionManager, type SubscriptionManagerOptions } from "./subscription_manager.ts";
export type {
  LocalSubscription,
  MessageHandler,
  OverflowPolicy,
  SubscribeOptions,
} from "./local_subscription.ts";
export type { BrokerSubscription, SubscriptionBroker } from "./broker.ts";
export type { RetryPolicy, SubscriptionRetry } from "./retry.ts";
export type { Message, MessageProperties, QoS } from "./message.ts";
export { SubscriptionOverflowError, SubscriptionRefusedError } from "./errors.ts";
