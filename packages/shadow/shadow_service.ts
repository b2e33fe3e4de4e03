/**
 * The local shadow service: a {@linkcode ShadowEngine} driven over an {@linkcode MqttLike}
 * connection, so it runs against any broker, or in-process.
 *
 * @module
 */
import { encodeJson } from "./_json.ts";
import type { MqttLike, MqttLikeMessage, MqttLikeSubscription } from "./mqtt_like.ts";
import { ShadowEngine, type ShadowEngineOptions } from "./shadow_engine.ts";

/** The filter the service subscribes to, as AWS Greengrass ShadowManager does (spec §1.10). */
export const SHADOW_SERVICE_FILTER = "$aws/things/+/shadow/#";

/** Options for {@linkcode ShadowService.start}. */
export interface ShadowServiceOptions extends ShadowEngineOptions {
  /** The clock, in milliseconds since the epoch; `Date.now` by default. */
  now?: () => number;
  /** Called when a response cannot be published; `console.error` by default. */
  onError?: (error: unknown) => void;
}

/**
 * Answers shadow requests published on the broker that `mqtt` is connected to: subscribes
 * to `$aws/things/+/shadow/#` and publishes every response at QoS 1 (spec §1.2), in order.
 * It re-subscribes after a reconnect that lost the session.
 *
 * @example Answer one request
 * ```ts
 * import { type MqttLike, type MqttLikeMessage, ShadowService } from "@tern/shadow";
 * import assert from "node:assert/strict";
 *
 * // A stand-in for the broker connection: it hands the service one request and keeps the
 * // topics of the responses.
 * let deliver: (message: MqttLikeMessage) => void = () => {};
 * const responses: string[] = [];
 * const mqtt: MqttLike = {
 *   subscribe(_filter, handler) {
 *     deliver = handler;
 *     return Promise.resolve({ unsubscribe: () => Promise.resolve() });
 *   },
 *   publish(topic) {
 *     responses.push(topic);
 *     return Promise.resolve();
 *   },
 * };
 * {
 *   await using _service = await ShadowService.start(mqtt, { now: () => 1700000000_000 });
 *   const request = JSON.stringify({ state: { reported: { on: true } } });
 *   deliver({
 *     topic: "$aws/things/lamp1/shadow/update",
 *     payload: new TextEncoder().encode(request),
 *   });
 * } // stopping waits for the responses to be published
 * assert.deepEqual(responses, [
 *   "$aws/things/lamp1/shadow/update/accepted",
 *   "$aws/things/lamp1/shadow/update/documents",
 * ]);
 * ```
 */
export class ShadowService implements AsyncDisposable {
  readonly #mqtt: MqttLike;
  readonly #engine: ShadowEngine;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  #subscription?: MqttLikeSubscription;
  #publishing: Promise<void> = Promise.resolve();
  #removeSessionListener?: () => void;
  #stopped = false;

  private constructor(mqtt: MqttLike, options: ShadowServiceOptions) {
    this.#mqtt = mqtt;
    this.#engine = new ShadowEngine(options);
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? ((error) => console.error(error));
  }

  /** Subscribes and starts answering; resolves once the subscription is granted. */
  static async start(mqtt: MqttLike, options: ShadowServiceOptions = {}): Promise<ShadowService> {
    const service = new ShadowService(mqtt, options);
    service.#subscription = await service.#subscribe();
    service.#removeSessionListener = mqtt.onSessionLost?.(() => service.#resubscribe());
    return service;
  }

  #subscribe(): Promise<MqttLikeSubscription> {
    return this.#mqtt.subscribe(SHADOW_SERVICE_FILTER, (message) => this.#handle(message), {
      qos: 1,
    });
  }

  async #resubscribe(): Promise<void> {
    try {
      await this.#subscription?.unsubscribe();
    } catch {
      // The old subscription died with the session; there is nothing left to undo.
    }
    if (this.#stopped) return;
    try {
      this.#subscription = await this.#subscribe();
    } catch (error) {
      this.#onError(error);
    }
  }

  #handle(message: MqttLikeMessage): void {
    if (this.#stopped) return;
    for (const output of this.#engine.handle(message, this.#now())) {
      const payload = encodeJson(output.payload);
      // Chained, so that accepted, delta and documents leave in the order AWS usually uses.
      this.#publishing = this.#publishing.then(() =>
        this.#mqtt.publish(output.topic, payload, { qos: 1 }).catch(this.#onError)
      );
    }
  }

  /** Unsubscribes and waits for the responses already being published. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#removeSessionListener?.();
    await this.#publishing;
    await this.#subscription?.unsubscribe();
  }

  /** Stops the service. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
