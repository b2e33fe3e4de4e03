/**
 * `@tern/broker`: an embeddable MQTT 3.1.1 and 5.0 broker on Tern's codec and topic trie,
 * for development, tests, demos, browsers and small single-process deployments. Not a
 * replacement for mosquitto, EMQX, HiveMQ or AWS IoT Core at scale.
 *
 * @example Start a broker on a free TCP port
 * ```ts
 * import { Broker } from "@tern/broker";
 *
 * await using broker = new Broker();
 * const listener = await broker.listen({ port: 0 });
 * console.log(listener.url.startsWith("mqtt://127.0.0.1:")); // true
 * ```
 *
 * @module
 */
export { Broker, type BrokerOptions, type BrokerStats } from "./broker.ts";
export { type BrokerLimits, DEFAULT_LIMITS } from "./limits.ts";
export type * from "./hooks.ts";
export type * from "./listener.ts";
export type * from "./persistence.ts";
export { memoryPair } from "./memory_transport.ts";
// The codec and transport types this package's API names, so one import suffices.
export type {
  ConnectPacket,
  ConnectProperties,
  ProtocolVersion,
  PublishPacket,
  PublishProperties,
  QoS,
  Subscription,
  UserProperties,
  Will,
  WillProperties,
} from "@tern/codec";
export type { Connection, OpenOptions, Transport } from "@tern/transport";
