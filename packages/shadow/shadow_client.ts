/**
 * The device shadow client: request/response operations correlated by client token, and
 * the delta and documents streams (spec §1.2–1.4, §2.4).
 *
 * @module
 */
import type {
  JsonObject,
  ShadowDeleteAccepted,
  ShadowDeltaEvent,
  ShadowDocumentsEvent,
  ShadowErrorDocument,
  ShadowGetAccepted,
  ShadowUpdateAccepted,
} from "./document.ts";
import { encodeJson, isObject } from "./_json.ts";
import { reportError } from "./_report_error.ts";
import { EventQueue } from "./_event_queue.ts";
import { ShadowError, ShadowTimeoutError } from "./errors.ts";
import type { MqttLike, MqttLikeMessage, MqttLikeSubscription } from "./mqtt_like.ts";
import {
  matchShadowTopic,
  type ShadowName,
  shadowTopic,
  shadowTopicPrefix,
  type ShadowTopicType,
} from "./topics.ts";

/** Options for {@linkcode ShadowClient}. */
export interface ShadowClientOptions extends ShadowName {
  /** How long a request waits for its response, in milliseconds; 10 000 by default. */
  timeoutMs?: number;
  /** QoS of requests and response subscriptions; 1 by default (AWS IoT has no QoS 2). */
  qos?: 0 | 1;
  /** How many events a stream keeps for a slow reader before dropping the oldest; 100. */
  streamBufferSize?: number;
}

/** Options for one request. */
export interface ShadowRequestOptions {
  /** Rejects the request with the signal's reason when aborted. */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this request, in milliseconds. */
  timeoutMs?: number;
}

/** Options for {@linkcode ShadowClient.update}. */
export interface ShadowUpdateOptions extends ShadowRequestOptions {
  /** Apply only if the stored version equals this one; otherwise the service answers 409. */
  version?: number;
}

/** Options for the streams. */
export interface ShadowStreamOptions {
  /** Ends the stream (or removes the callback) when aborted. */
  signal?: AbortSignal;
}

/** What an update sends: a section set to `null` is cleared, `null` clears both. */
export interface ShadowStatePatch {
  /** Changes to the desired section; `null` members delete fields. */
  desired?: JsonObject | null;
  /** Changes to the reported section; `null` members delete fields. */
  reported?: JsonObject | null;
}

type Operation = "get" | "update" | "delete";

interface PendingRequest {
  operation: Operation;
  resolve(document: JsonObject): void;
  reject(error: unknown): void;
}

/** What the client subscribes to, after the shadow's prefix. */
type FilterSuffix =
  | "get/+"
  | "delete/+"
  | "update/accepted"
  | "update/rejected"
  | "update/delta"
  | "update/documents";

/**
 * The response filters of each operation, as JSV2 chose them: `update/+` would also catch
 * delta and documents (spec §1.2 notes).
 */
const RESPONSE_FILTERS: Record<Operation, FilterSuffix[]> = {
  get: ["get/+"],
  delete: ["delete/+"],
  update: ["update/accepted", "update/rejected"],
};

const decoder = new TextDecoder();

/** How many of its own delete tokens a client remembers (requests in flight or late). */
const OWN_DELETES_KEPT = 64;

/**
 * A client for one shadow (classic or named) of one thing. Each request publishes with a
 * fresh `clientToken` and settles with the response carrying the same token, so concurrent
 * requests never receive each other's responses. The response topics are subscribed once,
 * on first use, and re-subscribed after a reconnect that lost the session.
 *
 * @example Update, read back, and catch a version conflict
 * ```ts
 * import {
 *   type MqttLike,
 *   type MqttLikeMessage,
 *   ShadowClient,
 *   ShadowEngine,
 *   ShadowError,
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
 * await using shadow = new ShadowClient(mqtt, { thingName: "lamp1", shadowName: "cfg" });
 *
 * const accepted = await shadow.update({ reported: { on: false } });
 * console.log(accepted.version); // 1
 * console.log((await shadow.get()).state); // { reported: { on: false } }
 * try {
 *   await shadow.update({ desired: { on: true } }, { version: 7 });
 * } catch (error) {
 *   console.log(error instanceof ShadowError && error.code); // 409
 * }
 * ```
 */
export class ShadowClient implements AsyncDisposable {
  /** The thing whose shadow this is. */
  readonly thingName: string;
  /** The named shadow, or `undefined` for the classic shadow. */
  readonly shadowName?: string;
  readonly #mqtt: MqttLike;
  readonly #name: ShadowName;
  readonly #timeoutMs: number;
  readonly #qos: 0 | 1;
  readonly #streamBufferSize: number;
  readonly #pending = new Map<string, PendingRequest>();
  readonly #subscriptions = new Map<FilterSuffix, Promise<MqttLikeSubscription>>();
  readonly #deltaListeners = new Set<(event: ShadowDeltaEvent) => void>();
  readonly #documentsListeners = new Set<(event: ShadowDocumentsEvent) => void>();
  readonly #deletedListeners = new Set<(event: ShadowDeleteAccepted) => void>();
  /** Tokens of this client's own deletes, so their `/delete/accepted` is not an event. */
  readonly #ownDeletes = new Set<string>();
  readonly #streams = new Set<{ close(): void }>();
  #removeSessionListener?: () => void;
  #closed = false;

  /**
   * Creates a client for one shadow; nothing is subscribed or published until first use.
   *
   * @throws {TypeError} when a name is invalid (spec §1.1)
   * @throws {RangeError} when `timeoutMs` or `streamBufferSize` is not positive
   */
  constructor(mqtt: MqttLike, options: ShadowClientOptions) {
    // Validates both names, so that a bad name fails here and not on first use.
    shadowTopic("get", options);
    this.#mqtt = mqtt;
    this.thingName = options.thingName;
    this.shadowName = options.shadowName;
    this.#name = options.shadowName === undefined
      ? { thingName: options.thingName }
      : { thingName: options.thingName, shadowName: options.shadowName };
    this.#timeoutMs = positive(options.timeoutMs ?? 10_000, "timeoutMs");
    this.#qos = options.qos ?? 1;
    this.#streamBufferSize = positive(options.streamBufferSize ?? 100, "streamBufferSize");
    this.#removeSessionListener = mqtt.onSessionLost?.(() => void this.#restoreSubscriptions());
  }

  /** The full topic of this shadow for `type`, e.g. `update/delta`. */
  topic(type: ShadowTopicType): string {
    return shadowTopic(type, this.#name);
  }

  /**
   * Reads the shadow. Resolves with `/get/accepted`; rejects with a {@linkcode ShadowError}
   * (404 when the shadow does not exist), a {@linkcode ShadowTimeoutError}, or the signal's
   * reason.
   */
  get(options: ShadowRequestOptions = {}): Promise<ShadowGetAccepted> {
    return this.#request<ShadowGetAccepted>("get", {}, options);
  }

  /**
   * Updates the shadow. Resolves with `/update/accepted`; rejects with a
   * {@linkcode ShadowError} (400, 409, 413, ...), a {@linkcode ShadowTimeoutError}, or the
   * signal's reason. A timeout does not mean the update was not applied.
   *
   * @throws {TypeError} when `state` is neither an object nor `null`
   * @throws {RangeError} when `version` is not a non-negative integer
   */
  update(
    state: ShadowStatePatch | null,
    options: ShadowUpdateOptions = {},
  ): Promise<ShadowUpdateAccepted> {
    if (state !== null && !isObject(state)) {
      return Promise.reject(new TypeError("Cannot update shadow: state must be an object or null"));
    }
    const body: JsonObject = { state: state as JsonObject | null };
    if (options.version !== undefined) {
      if (!Number.isSafeInteger(options.version) || options.version < 0) {
        return Promise.reject(
          new RangeError(
            `Cannot update shadow: version must be a non-negative integer, got ${options.version}`,
          ),
        );
      }
      body.version = options.version;
    }
    return this.#request<ShadowUpdateAccepted>("update", body, options);
  }

  /**
   * Deletes the shadow. Resolves with `/delete/accepted` (the deleted version); rejects
   * like {@linkcode ShadowClient.get}.
   */
  delete(options: ShadowRequestOptions = {}): Promise<ShadowDeleteAccepted> {
    return this.#request<ShadowDeleteAccepted>("delete", {}, options);
  }

  /**
   * Calls `listener` with every `/update/delta` of this shadow; resolves once subscribed,
   * with a function that removes the listener. Deltas may arrive out of order: compare
   * `version` (or use {@linkcode DeviceShadow}).
   */
  async onDelta(
    listener: (event: ShadowDeltaEvent) => void,
    options: ShadowStreamOptions = {},
  ): Promise<() => void> {
    return await this.#listen(this.#deltaListeners, "update/delta", listener, options);
  }

  /**
   * Calls `listener` with every `/update/documents` of this shadow; resolves once
   * subscribed, with a function that removes the listener.
   */
  async onDocuments(
    listener: (event: ShadowDocumentsEvent) => void,
    options: ShadowStreamOptions = {},
  ): Promise<() => void> {
    return await this.#listen(this.#documentsListeners, "update/documents", listener, options);
  }

  /**
   * Calls `listener` when the shadow is deleted by someone else: every `/delete/accepted`
   * of this shadow except the answers to this client's own {@linkcode ShadowClient.delete}
   * (those settle its promise). This is FreeRTOS's "shadow deleted" callback
   * (`SHADOW_RegisterCallbacks`). Resolves once subscribed, with a function that removes
   * the listener.
   *
   * @example Learn that an application deleted the shadow
   * ```ts
   * import { asMqttLike } from "@tern/agent";
   * import { ShadowClient, ShadowService } from "@tern/shadow";
   * import { createTestBroker } from "@tern/testing";
   *
   * await using broker = createTestBroker();
   * const connect = async () => asMqttLike(await broker.startClient());
   * await using _service = await ShadowService.start(await connect());
   * await using device = new ShadowClient(await connect(), { thingName: "lamp1" });
   * await using app = new ShadowClient(await connect(), { thingName: "lamp1" });
   *
   * await device.update({ reported: { on: true } });
   * const deleted = Promise.withResolvers<number>();
   * await device.onDeleted((event) => deleted.resolve(event.version));
   * await app.delete();
   * console.log(await deleted.promise); // 1
   * ```
   */
  async onDeleted(
    listener: (event: ShadowDeleteAccepted) => void,
    options: ShadowStreamOptions = {},
  ): Promise<() => void> {
    return await this.#listen(this.#deletedListeners, "delete/+", listener, options);
  }

  /**
   * Deletions by someone else as an async iterator (see {@linkcode ShadowClient.onDeleted});
   * resolves once subscribed. Ends like {@linkcode ShadowClient.deltas}.
   */
  async deletions(
    options: ShadowStreamOptions = {},
  ): Promise<AsyncIterableIterator<ShadowDeleteAccepted>> {
    return await this.#stream(this.#deletedListeners, "delete/+", options);
  }

  /**
   * The `/update/delta` messages as an async iterator; resolves once subscribed, so that
   * no delta published afterwards is missed. Ends when `signal` aborts, on `return()` or
   * when the client closes.
   */
  async deltas(
    options: ShadowStreamOptions = {},
  ): Promise<AsyncIterableIterator<ShadowDeltaEvent>> {
    return await this.#stream(this.#deltaListeners, "update/delta", options);
  }

  /** The `/update/documents` messages as an async iterator; see {@linkcode ShadowClient.deltas}. */
  async documents(
    options: ShadowStreamOptions = {},
  ): Promise<AsyncIterableIterator<ShadowDocumentsEvent>> {
    return await this.#stream(this.#documentsListeners, "update/documents", options);
  }

  /** Rejects pending requests, ends the streams and unsubscribes; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#removeSessionListener?.();
    for (const [token, pending] of this.#pending) {
      this.#pending.delete(token);
      pending.reject(new Error(`Cannot ${pending.operation} shadow: the client was closed`));
    }
    for (const stream of this.#streams) stream.close();
    this.#deltaListeners.clear();
    this.#documentsListeners.clear();
    this.#deletedListeners.clear();
    const subscriptions = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    await Promise.allSettled(
      subscriptions.map(async (subscription) => (await subscription).unsubscribe()),
    );
  }

  /** Closes the client. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #stream<T>(
    listeners: Set<(event: T) => void>,
    type: FilterSuffix,
    options: ShadowStreamOptions,
  ): Promise<AsyncIterableIterator<T>> {
    let remove = () => {};
    const onAbort = () => queue.close();
    const queue = new EventQueue<T>(this.#streamBufferSize, () => {
      remove();
      this.#streams.delete(queue);
      options.signal?.removeEventListener("abort", onAbort);
    });
    this.#streams.add(queue);
    try {
      remove = await this.#listen(listeners, type, (event) => queue.push(event), options);
    } catch (error) {
      queue.close();
      throw error;
    }
    options.signal?.addEventListener("abort", onAbort, { once: true });
    return queue;
  }

  async #listen<T>(
    listeners: Set<(event: T) => void>,
    type: FilterSuffix,
    listener: (event: T) => void,
    options: ShadowStreamOptions,
  ): Promise<() => void> {
    this.#assertOpen(`listen to ${type}`);
    options.signal?.throwIfAborted();
    await this.#subscribe(type);
    options.signal?.throwIfAborted();
    // A function of its own, so that adding the same listener twice registers it twice.
    const entry = (event: T) => {
      try {
        listener(event);
      } catch (error) {
        // As EventTarget does: the error is reported, and neither the other listeners nor
        // the MQTT client's delivery loop see it.
        reportError(error);
      }
    };
    listeners.add(entry);
    const remove = () => {
      listeners.delete(entry);
      options.signal?.removeEventListener("abort", remove);
    };
    options.signal?.addEventListener("abort", remove, { once: true });
    return remove;
  }

  /** Publishes a request; resolves with the accepted document whose type `T` names. */
  async #request<T>(
    operation: Operation,
    body: JsonObject,
    options: ShadowRequestOptions,
  ): Promise<T> {
    this.#assertOpen(`${operation} shadow`);
    const { signal } = options;
    const timeoutMs = positive(options.timeoutMs ?? this.#timeoutMs, "timeoutMs");
    signal?.throwIfAborted();
    await Promise.all(RESPONSE_FILTERS[operation].map((type) => this.#subscribe(type)));
    signal?.throwIfAborted();
    this.#assertOpen(`${operation} shadow`);

    const clientToken = crypto.randomUUID();
    body.clientToken = clientToken;
    if (operation === "delete") this.#rememberOwnDelete(clientToken);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const response = new Promise<JsonObject>((resolve, reject) => {
      this.#pending.set(clientToken, { operation, resolve, reject });
      timer = setTimeout(() => {
        this.#pending.delete(clientToken);
        reject(
          new ShadowTimeoutError(`Cannot ${operation} shadow: no response within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      onAbort = () => {
        this.#pending.delete(clientToken);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      await Promise.race([
        this.#mqtt.publish(this.topic(operation), encodeJson(body), { qos: this.#qos }),
        response,
      ]);
      // The accepted topic of `operation` carries a document of type T (spec §1.4).
      return await response as unknown as T;
    } finally {
      this.#pending.delete(clientToken);
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  #subscribe(suffix: FilterSuffix): Promise<MqttLikeSubscription> {
    let subscription = this.#subscriptions.get(suffix);
    if (subscription === undefined) {
      const filter = `${shadowTopicPrefix(this.#name)}/${suffix}`;
      const made = this.#mqtt.subscribe(filter, (message) => this.#dispatch(message), {
        qos: this.#qos,
      });
      subscription = made;
      this.#subscriptions.set(suffix, made);
      // A refused subscription is forgotten, so that the next request tries again.
      made.catch(() => {
        if (this.#subscriptions.get(suffix) === made) this.#subscriptions.delete(suffix);
      });
    }
    return subscription;
  }

  async #restoreSubscriptions(): Promise<void> {
    for (const suffix of [...this.#subscriptions.keys()]) {
      const old = this.#subscriptions.get(suffix);
      this.#subscriptions.delete(suffix);
      try {
        // Unsubscribed first: the broker forgot it, but the MQTT client may still route to it.
        await (await old)?.unsubscribe();
      } catch {
        // The subscription died with the session.
      }
      if (this.#closed) return;
      this.#subscribe(suffix).catch(() => {});
    }
  }

  #dispatch(message: MqttLikeMessage): void {
    const match = matchShadowTopic(message.topic);
    if (
      match === undefined || match.thingName !== this.thingName ||
      match.shadowName !== this.shadowName
    ) return;
    let document: unknown;
    try {
      document = JSON.parse(decoder.decode(message.payload));
    } catch {
      return;
    }
    if (!isObject(document)) return;
    switch (match.type) {
      case "update/delta":
        for (const listener of this.#deltaListeners) {
          listener(document as unknown as ShadowDeltaEvent);
        }
        return;
      case "update/documents":
        for (const listener of this.#documentsListeners) {
          listener(document as unknown as ShadowDocumentsEvent);
        }
        return;
    }
    const token = document.clientToken;
    if (match.type === "delete/accepted" && !this.#isOwnDelete(token)) {
      for (const listener of this.#deletedListeners) {
        listener(document as unknown as ShadowDeleteAccepted);
      }
      return;
    }
    const [operation, outcome] = match.type.split("/");
    if (typeof token !== "string" || outcome === undefined) return;
    const pending = this.#pending.get(token);
    if (pending === undefined || pending.operation !== operation) return;
    this.#pending.delete(token);
    if (outcome === "accepted") {
      pending.resolve(document);
    } else if (typeof document.code === "number" && typeof document.message === "string") {
      pending.reject(new ShadowError(document as unknown as ShadowErrorDocument));
    } else {
      pending.reject(
        new ShadowError({ code: 500, message: "Malformed rejection from the shadow service" }),
      );
    }
  }

  #rememberOwnDelete(token: string): void {
    // Bounded: an answer that never comes must not keep its token forever.
    if (this.#ownDeletes.size >= OWN_DELETES_KEPT) {
      this.#ownDeletes.delete(this.#ownDeletes.values().next().value!);
    }
    this.#ownDeletes.add(token);
  }

  #isOwnDelete(token: unknown): boolean {
    return typeof token === "string" && this.#ownDeletes.delete(token);
  }

  #assertOpen(action: string): void {
    if (this.#closed) throw new Error(`Cannot ${action}: the shadow client is closed`);
  }
}

function positive(value: number, option: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`Invalid shadow client option: ${option} must be positive, got ${value}`);
  }
  return value;
}
