/**
 * The small MQTT surface the shadow client and the shadow service need. Any MQTT client
 * that can publish at QoS 1 and subscribe with a per-filter handler satisfies it, so the
 * shadow package depends on no particular client.
 *
 * @module
 */

/** A message delivered to a subscription handler. */
export interface MqttLikeMessage {
  /** The topic the message was published to. */
  readonly topic: string;
  /** The payload bytes, as received. */
  readonly payload: Uint8Array;
}

/** Options for {@linkcode MqttLike.publish} and {@linkcode MqttLike.subscribe}. */
export interface MqttLikeQosOptions {
  /** Quality of service; the shadow package only ever asks for 0 or 1 (AWS IoT has no QoS 2). */
  qos: 0 | 1;
}

/** What {@linkcode MqttLike.subscribe} resolves with. */
export interface MqttLikeSubscription {
  /** Stops delivery to this subscription's handler and unsubscribes from the broker. */
  unsubscribe(): Promise<void>;
}

/**
 * The MQTT client interface of `@tern/shadow`.
 *
 * - `publish` resolves once the message is handed over at the requested QoS (for QoS 1: when
 *   the PUBACK arrived) and rejects when it cannot be.
 * - `subscribe` resolves once the broker granted the subscription (SUBACK) and rejects when
 *   it refused; from then on `handler` is called, synchronously and in arrival order, for every
 *   message whose topic matches `filter`. Two subscriptions with different filters are
 *   independent even when their filters overlap.
 * - `onSessionLost` is optional: a client that reconnects without its session (the broker
 *   forgot the subscriptions, CONNACK sessionPresent = 0) and does not restore subscriptions
 *   itself calls the listener after such a reconnect. Subscriptions returned before are then
 *   dead; the shadow package unsubscribes them and subscribes again. The returned function
 *   removes the listener.
 *
 * @example An MqttLike that delivers its own publications (a loopback for experiments)
 * ```ts
 * import type { MqttLike, MqttLikeMessage } from "@tern/shadow";
 *
 * const handlers = new Map<string, (message: MqttLikeMessage) => void>();
 * const loopback: MqttLike = {
 *   publish(topic, payload) {
 *     handlers.get(topic)?.({ topic, payload });
 *     return Promise.resolve();
 *   },
 *   subscribe(filter, handler) {
 *     handlers.set(filter, handler);
 *     return Promise.resolve({
 *       unsubscribe: () => Promise.resolve(void handlers.delete(filter)),
 *     });
 *   },
 * };
 * const seen: string[] = [];
 * await loopback.subscribe("a/b", (message) => seen.push(message.topic), { qos: 1 });
 * await loopback.publish("a/b", new Uint8Array(), { qos: 1 });
 * console.log(seen); // ["a/b"]
 * ```
 */
export interface MqttLike {
  /** Publishes `payload` to `topic`. */
  publish(topic: string, payload: Uint8Array, options: MqttLikeQosOptions): Promise<void>;
  /** Subscribes to `filter` and calls `handler` for every matching message. */
  subscribe(
    filter: string,
    handler: (message: MqttLikeMessage) => void,
    options: MqttLikeQosOptions,
  ): Promise<MqttLikeSubscription>;
  /** Calls `listener` after each reconnect that lost the broker-side subscriptions. */
  onSessionLost?(listener: () => void): () => void;
}
