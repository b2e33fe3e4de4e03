/**
 * `@tern/agent`: the MQTT client. One connection, shared by many concurrent callers.
 *
 * @module
 */
export type * from "./session_store.ts";
export * from "./memory_store.ts";
export * from "./limits.ts";
export * from "./backoff.ts";
export * from "./offline_queue.ts";
export * from "./errors.ts";
export * from "./negotiated_settings.ts";
export type * from "./session_types.ts";
export * from "./session.ts";
export type * from "./client_options.ts";
export type * from "./clock.ts";
export * from "./client.ts";
export type * from "./client_subscription.ts";
export type * from "./client_stats.ts";
export * from "./mqtt_like.ts";
export * from "./connect.ts";
// The codec and transport types that this package's API names, so one import suffices.
export type {
  AckProperties,
  AuthPacket,
  AuthProperties,
  ConnackPacket,
  ConnackProperties,
  ConnectPacket,
  ConnectProperties,
  DisconnectPacket,
  DisconnectProperties,
  Packet,
  PacketType,
  PingPacket,
  ProtocolVersion,
  PublishAckPacket,
  PublishPacket,
  PublishProperties,
  QoS,
  SubackPacket,
  SubscribePacket,
  SubscribeProperties,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
  UnsubscribeProperties,
  UserProperties,
  Will,
  WillProperties,
} from "@tern/codec";
// The subscription types and errors that local subscriptions name.
export type { AckMode, OverflowPolicy, RetryPolicy, SubscriptionRetry } from "@tern/subscriptions";
export { SubscriptionOverflowError, SubscriptionRefusedError } from "@tern/subscriptions";
export type {
  Connection,
  FromUrlOptions,
  OpenOptions,
  TlsSettings,
  Transport,
} from "@tern/transport";
