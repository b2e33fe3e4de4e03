/**
 * `@tern/shadow`: AWS IoT device shadows over any MQTT client, both sides.
 *
 * - {@linkcode ShadowClient}: get / update / delete a classic or named shadow, each a promise
 *   correlated by a generated `clientToken`; deltas and documents as async iterators or
 *   callbacks. {@linkcode DeviceShadow} adds the device loop: apply a delta, report, skip
 *   stale versions.
 * - {@linkcode ShadowService}: a local shadow service that follows AWS's documented semantics
 *   (topics, validation order, merge, metadata, versions, deltas, limits, error documents), on
 *   any broker; {@linkcode ShadowEngine} is its I/O-free core.
 * - Topic helpers equivalent to the FreeRTOS Device Shadow library.
 *
 * Everything MQTT goes through the small {@linkcode MqttLike} interface.
 *
 * @example A device and an application share a shadow (in memory here)
 * ```ts
 * import { type MqttLike, type MqttLikeMessage, ShadowClient, ShadowEngine } from "@tern/shadow";
 * import { matches } from "@tern/subscriptions";
 *
 * // A stand-in for a broker with the shadow service behind it: each request goes to the
 * // service's I/O-free engine, and each response to the subscribers of its topic.
 * const engine = new ShadowEngine();
 * const subscribers = new Set<{ filter: string; handler: (message: MqttLikeMessage) => void }>();
 * const mqtt: MqttLike = {
 *   subscribe(filter, handler) {
 *     const subscriber = { filter, handler };
 *     subscribers.add(subscriber);
 *     return Promise.resolve({ unsubscribe: async () => void subscribers.delete(subscriber) });
 *   },
 *   publish(topic, payload) {
 *     for (const response of engine.handle({ topic, payload }, Date.now())) {
 *       const message = {
 *         topic: response.topic,
 *         payload: new TextEncoder().encode(JSON.stringify(response.payload)),
 *       };
 *       for (const { filter, handler } of subscribers) {
 *         if (matches(filter, message.topic)) queueMicrotask(() => handler(message));
 *       }
 *     }
 *     return Promise.resolve();
 *   },
 * };
 * await using device = new ShadowClient(mqtt, { thingName: "lamp1" });
 * await using app = new ShadowClient(mqtt, { thingName: "lamp1" });
 *
 * await device.update({ reported: { on: false } });
 * const deltas = await device.deltas();
 * await app.update({ desired: { on: true } });
 * const { value } = await deltas.next();
 * console.log(value?.state); // { on: true }
 * await deltas.return?.();
 * ```
 *
 * @module
 */
export * from "./mqtt_like.ts";
export * from "./document.ts";
export * from "./topics.ts";
export * from "./errors.ts";
export * from "./merge.ts";
export * from "./delta.ts";
export * from "./validate.ts";
export * from "./store.ts";
export * from "./memory_store.ts";
export * from "./shadow_engine.ts";
export * from "./shadow_service.ts";
export * from "./shadow_client.ts";
export * from "./device_shadow.ts";
