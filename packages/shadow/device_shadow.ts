/**
 * The device side of the desired/reported loop: apply each delta, report the state
 * reached, skip stale deltas (spec §1.6 "Message ordering", §2.1 usage pattern).
 *
 * @module
 */
import type {
  JsonObject,
  ShadowDeleteAccepted,
  ShadowDeltaEvent,
  ShadowUpdateAccepted,
} from "./document.ts";
import { ShadowError } from "./errors.ts";
import type { ShadowClient, ShadowRequestOptions } from "./shadow_client.ts";

/** What the device does with a delta. */
export type ApplyDelta = (
  delta: JsonObject,
  event: ShadowDeltaEvent,
) => JsonObject | undefined | Promise<JsonObject | undefined>;

/** Options for {@linkcode DeviceShadow.start}. */
export interface DeviceShadowOptions {
  /**
   * Applies a delta to the device and returns what to report: by default the delta itself
   * (the device reached the desired state). Returning `undefined` reports nothing.
   */
  apply?: ApplyDelta;
  /**
   * Called, in turn with the deltas, when someone else deletes the shadow; the version seen
   * starts over, since a shadow re-created more than 48 hours later starts again at 1.
   */
  onDeleted?: (event: ShadowDeleteAccepted) => void | Promise<void>;
  /** Called when applying or reporting a delta fails; `console.error` by default. */
  onError?: (error: unknown) => void;
  /** Stops the loop when aborted. */
  signal?: AbortSignal;
}

/**
 * Keeps a device in step with its shadow: on start it reads the shadow and applies any
 * pending delta, then it applies every newer delta in order and reports the result. Deltas
 * whose version is not newer than the last version seen (from get, from its own reports or
 * from earlier deltas) are skipped, because AWS does not order messages (spec §1.6).
 *
 * @example A lamp that follows its desired state
 * ```ts
 * import {
 *   DeviceShadow,
 *   type MqttLike,
 *   type MqttLikeMessage,
 *   ShadowClient,
 *   ShadowEngine,
 * } from "@tern/shadow";
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
 * await using app = new ShadowClient(mqtt, { thingName: "lamp1" });
 * await using lamp = new ShadowClient(mqtt, { thingName: "lamp1" });
 *
 * await app.update({ desired: { on: true } });
 * await using device = await DeviceShadow.start(lamp); // applies and reports the delta
 * const shadow = await app.get();
 * console.log(shadow.state); // { desired: { on: true }, reported: { on: true } }
 * console.log(device.version); // 2
 * ```
 */
export class DeviceShadow implements AsyncDisposable {
  readonly #client: ShadowClient;
  readonly #apply: ApplyDelta;
  readonly #onError: (error: unknown) => void;
  readonly #onDeleted?: (event: ShadowDeleteAccepted) => void | Promise<void>;
  #version = 0;
  #queue: Promise<void> = Promise.resolve();
  #removeListener: () => void = () => {};
  #stopped = false;

  private constructor(client: ShadowClient, options: DeviceShadowOptions) {
    this.#client = client;
    this.#apply = options.apply ?? ((delta) => delta);
    this.#onError = options.onError ?? ((error) => console.error(error));
    this.#onDeleted = options.onDeleted;
  }

  /**
   * Subscribes to deltas, reads the shadow (a missing shadow is fine) and applies its
   * delta, if any; resolves once that delta has been reported.
   */
  static async start(
    client: ShadowClient,
    options: DeviceShadowOptions = {},
  ): Promise<DeviceShadow> {
    const device = new DeviceShadow(client, options);
    const removeDelta = await client.onDelta((event) => device.#enqueue(event), {
      signal: options.signal,
    });
    device.#removeListener = removeDelta;
    try {
      const removeDeleted = await client.onDeleted((event) => device.#deleted(event), {
        signal: options.signal,
      });
      device.#removeListener = () => (removeDelta(), removeDeleted());
    } catch (error) {
      removeDelta();
      throw error;
    }
    options.signal?.addEventListener("abort", () => void device.stop(), { once: true });
    try {
      const shadow = await client.get({ signal: options.signal });
      if (shadow.state.delta !== undefined) {
        device.#enqueue({
          version: shadow.version,
          timestamp: shadow.timestamp,
          state: shadow.state.delta,
          metadata: {},
        });
      } else {
        device.#see(shadow.version);
      }
    } catch (error) {
      if (!(error instanceof ShadowError && error.code === 404)) {
        await device.stop();
        throw error;
      }
    }
    await device.#queue;
    return device;
  }

  /** The newest shadow version this device has seen. */
  get version(): number {
    return this.#version;
  }

  /** Reports state outside a delta (a button was pressed); the version seen advances. */
  async report(
    reported: JsonObject,
    options: ShadowRequestOptions = {},
  ): Promise<ShadowUpdateAccepted> {
    const accepted = await this.#client.update({ reported }, options);
    this.#see(accepted.version);
    return accepted;
  }

  /** Stops applying deltas and waits for the one in progress; the client stays open. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#removeListener();
    await this.#queue;
  }

  /** Stops the loop. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #see(version: number): void {
    if (version > this.#version) this.#version = version;
  }

  #enqueue(event: ShadowDeltaEvent): void {
    this.#queue = this.#queue.then(() => this.#handle(event)).catch(this.#onError);
  }

  #deleted(event: ShadowDeleteAccepted): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#stopped) return;
      this.#version = 0;
      await this.#onDeleted?.(event);
    }).catch(this.#onError);
  }

  async #handle(event: ShadowDeltaEvent): Promise<void> {
    // Checked when the event's turn comes, so that a report made meanwhile counts.
    if (this.#stopped || !(event.version > this.#version)) return;
    this.#version = event.version;
    const reported = await this.#apply(event.state, event);
    if (reported === undefined || this.#stopped) return;
    await this.report(reported);
  }
}
