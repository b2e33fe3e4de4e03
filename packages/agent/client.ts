import type { Packet, Subscription } from "@tern/codec";
import { fromUrl } from "@tern/transport/url";
import { Backoff } from "./backoff.ts";
import { ServerList } from "./_server_list.ts";
import { createLimiter, type Limiter } from "./limits.ts";
import { ClientStoppedError, TimeoutError } from "./errors.ts";
import type { NegotiatedSettings } from "./negotiated_settings.ts";
import { Session } from "./session.ts";
import type {
  InboundDelivery,
  InboundMessage,
  OperationResult,
  PingResult,
  PublishResult,
  SessionEvent,
  SessionState,
  SubscriptionResult,
} from "./session_types.ts";
import type {
  ClientEventMap,
  ClientEventType,
  MqttClientOptions,
  OperationOptions,
  PublishOptions,
  ReconnectPolicy,
  RequestOptions,
  StartOptions,
  StopOptions,
  SubscribeOptions,
  UnsubscribeOptions,
} from "./client_options.ts";
import { Emitter } from "./_emitter.ts";
import { type OperationKind, Pending } from "./_pending.ts";
import { delay } from "./_delay.ts";
import { RequestRouter } from "./_request_router.ts";
import { SubscriptionManager, type SubscriptionRetry } from "@tern/subscriptions";
import type { ClientSubscription, LocalSubscribeOptions } from "./client_subscription.ts";
import { LocalFilters } from "./_local_filters.ts";
import type { ClientStats } from "./client_stats.ts";
import { systemClock } from "./_clock.ts";
import type { Clock } from "./clock.ts";
import { prepareAttempt } from "./_connect_attempt.ts";
import { Link, type LinkHost } from "./_link.ts";
import { randomHex } from "./_random.ts";
import { resolveOptions } from "./_session_options.ts";
import { type Resolvers, withResolvers } from "./_with_resolvers.ts";

/**
 * The MQTT client: one connection, owned by this runner, shared by any number of concurrent
 * callers. Each call queues a command; packets leave in call order, coalesced into one write
 * with at most one write pending; each promise settles on its acknowledgement, when written,
 * on timeout, abort or stop. The protocol itself lives in the sans-IO {@linkcode Session}.
 *
 * @example Publish and receive on a local broker
 * ```ts ignore
 * import { MqttClient } from "@tern/agent";
 *
 * const client = new MqttClient({ url: "mqtt://127.0.0.1:1883", clientId: "demo" });
 * await client.start();
 * const demo = client.subscribe("demo/#", { qos: 1 });
 * await demo; // { reasonCodes: [1] }
 * await client.publish("demo/hello", "world", { qos: 1 });
 * for await (const m of demo) {
 *   console.log(m.topic, new TextDecoder().decode(m.payload));
 *   break; // unsubscribes
 * }
 * await client.stop();
 * ```
 */
export class MqttClient {
  #options: MqttClientOptions;
  #servers: ServerList;
  #session: Session;
  #reconnect?: ReconnectPolicy;
  #emitter = new Emitter<ClientEventMap>((error, type) =>
    this.#reportError(error, { event: type })
  );
  /** What went to console.error already, for want of an "error" listener: once each. */
  #logged = new WeakSet<object>();
  #loggedEvents = new Set<string>();
  /** Each local subscription's {@linkcode ClientSubscription}, for "error" events. */
  #byLocal = new WeakMap<object, ClientSubscription>();
  #processing = false;
  #ops = new Map<number, Pending>();
  /** Shared by every Pending: drop it from the table, and from the session if abandoned. */
  #forget = (pending: Pending, cancel: boolean): void => {
    this.#ops.delete(pending.id);
    if (cancel) this.#session.cancel(pending.id);
  };
  #onSubscriptionRetry = (retry: SubscriptionRetry): void =>
    this.#emitter.emit("subscriptionretry", retry);
  /** Created by the first request(). */
  #requests?: RequestRouter;
  /** Why stop() (or giving up reconnecting) last failed every pending operation. */
  #abandoned?: Error;
  /** Local subscribers and the broker subscriptions they share; every PUBLISH goes through it. */
  #subscriptions: SubscriptionManager<InboundMessage>;
  /** Splits SUBSCRIBE lists per the broker's limits (the session checks everything else). */
  #limits?: Limiter;

  #running = false;
  #loop?: Promise<void>;
  #stopController = new AbortController();
  #generation = 0;
  #startWaiters: {
    generation: number;
    /** Resolved once CONNECT is written ("sent") or accepted ("ack"). */
    wait: "sent" | "ack";
    resolve(settings?: NegotiatedSettings): void;
    reject(error: Error): void;
  }[] = [];

  /** The connection being served, if any. */
  #link?: Link;
  /** What every connection's link needs of this client. */
  #host: LinkHost;
  #reauthentication?: Resolvers<void>;
  /** Every time and timer of this client (MqttClientOptions.clock). */
  #clock: Clock;

  /** Creates a stopped client; nothing happens on the network until {@linkcode start}. */
  constructor(options: MqttClientOptions) {
    const {
      url,
      transport,
      servers,
      transportOptions,
      authenticator,
      reconnect,
      closeTimeoutMs: _closeTimeoutMs,
      connectOptionsProvider: _connectOptionsProvider,
      shouldReconnect: _shouldReconnect,
      wasmModule: _wasmModule,
      clock: _clock,
      ...sessionOptions
    } = options;
    if ([url, transport, servers].filter((given) => given !== undefined).length !== 1) {
      throw new TypeError(
        "Cannot create MqttClient: give exactly one of url, transport and servers",
      );
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#servers = new ServerList(
      servers ?? [url ?? transport!],
      (address) => fromUrl(address, transportOptions),
    );
    const resolved = resolveOptions(sessionOptions);
    this.#session = new Session({
      ...sessionOptions,
      // MQTT 3.1.1 servers need not assign identifiers, so make one up.
      clientId: options.clientId ??
        (resolved.protocolVersion !== 5 || options.protocolVersion === "auto"
          ? `tern-${randomHex(8)}`
          : ""),
      // What the client acknowledged, a local subscription has: flow control, not drops.
      inboundAcknowledgement: options.inboundAcknowledgement ?? "whenTaken",
      authenticationMethod: authenticator?.method,
    });
    this.#host = Object.freeze({
      session: this.#session,
      pending: this.#ops,
      authenticator,
      maximumPacketSize: resolved.maximumPacketSize,
      wasmModule: options.wasmModule,
      closeTimeoutMs: options.closeTimeoutMs ?? 5000,
      clock: this.#clock,
      running: () => this.#running,
      processEvents: () => this.#processEvents(),
      connectWritten: () => {
        const written = this.#startWaiters.filter((w) => w.wait === "sent");
        this.#startWaiters = this.#startWaiters.filter((w) => w.wait !== "sent");
        for (const waiter of written) waiter.resolve();
      },
    });
    this.#reconnect = reconnect === false ? undefined : reconnect ?? new Backoff();
    this.#subscriptions = new SubscriptionManager<InboundMessage>({
      broker: {
        subscribe: ({ subscriptionIdentifier, ...subscription }) =>
          this.sendSubscribe([subscription], {
            // Without identifiers the manager routes by matching topics instead.
            properties: this.#session.protocolVersion === 5 &&
                this.settings?.subscriptionIdentifiersAvailable !== false
              ? { subscriptionIdentifier }
              : undefined,
          }).then((result) => result.reasonCodes[0]),
        unsubscribe: (topicFilter) =>
          this.sendUnsubscribe(topicFilter).then((result) =>
            this.#session.protocolVersion === 5 ? result.reasonCodes[0] : undefined
          ),
      },
      clock: this.#clock,
      // A throwing handler is reported like a throwing listener. An UNSUBSCRIBE cut short by
      // stop() is not worth reporting: stopping ends every local subscription anyway.
      onError: (error, context) => {
        if (error instanceof ClientStoppedError) return;
        this.#reportError(error, {
          subscription: context && this.#byLocal.get(context.subscription),
          message: context?.message,
        });
      },
      onDrop: (message, local) => {
        const subscription = this.#byLocal.get(local);
        if (subscription) this.#emitter.emit("messagedropped", { message, subscription });
      },
    });
    this.#limits = options.limits && createLimiter(options.limits);
  }

  /** Whether start() was called and stop() was not (connected or trying to be). */
  get running(): boolean {
    return this.#running;
  }

  /** Where the session stands on the current connection. */
  get state(): SessionState {
    return this.#session.state;
  }

  /** The client identifier in use (server-assigned when none was given). */
  get clientId(): string {
    return this.#session.clientId;
  }

  /** Settings of the current (or last) accepted connection. */
  get settings(): NegotiatedSettings | undefined {
    return this.#session.settings;
  }

  /**
   * Operation counts and sizes (incomplete: queued or unacknowledged; unacknowledged), and
   * the messages no local subscription took (delivered as "message" events).
   */
  stats(): ClientStats {
    return {
      ...this.#session.stats(),
      unmatchedMessages: this.#subscriptions.unmatched,
      droppedMessages: this.#subscriptions.dropped,
      heldMessages: this.#session.heldMessageCount,
      ignoredAcknowledgements: this.#session.ignoredAckCount,
    };
  }

  /**
   * Adds a listener for a lifecycle event or for messages; returns a function that removes
   * it. A listener that throws (or returns a promise that rejects) does not stop the others
   * nor the connection: the error goes to the "error" event (see {@linkcode ClientEventMap}).
   */
  on<K extends ClientEventType>(type: K, listener: (event: ClientEventMap[K]) => void): () => void {
    return this.#emitter.on(type, listener);
  }

  /** Removes a listener added with {@linkcode on}. */
  off<K extends ClientEventType>(type: K, listener: (event: ClientEventMap[K]) => void): void {
    this.#emitter.off(type, listener);
  }

  /**
   * Starts connecting and resolves at once (`wait: "none"`) or once the first CONNECT was
   * written (`wait: "sent"`), before the server answers.
   */
  start(options: StartOptions & { wait: "none" | "sent" }): Promise<void>;
  /**
   * Starts connecting (and reconnecting, per the `reconnect` policy) in the background and
   * resolves with the negotiated settings on the first successful CONNACK. Rejects when the
   * client stops first, or `signal` aborts (the client then keeps trying).
   */
  start(options?: StartOptions & { wait?: "ack" }): Promise<NegotiatedSettings>;
  start(options: StartOptions = {}): Promise<NegotiatedSettings | void> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const wait = options.wait ?? "ack";
    if (this.#running && this.#session.state === "connected") {
      return Promise.resolve(wait === "ack" ? this.settings! : undefined);
    }
    if (!this.#running) {
      this.#running = true;
      this.#generation++;
      this.#stopController = new AbortController();
      const previous = this.#loop;
      const signal = this.#stopController.signal;
      const generation = this.#generation;
      // A stop() still finishing must end before the next connection loop begins.
      this.#loop = (async () => {
        await previous;
        await this.#run(signal, generation);
      })();
    }
    if (wait === "none") return Promise.resolve();
    const waiting = {
      ...withResolvers<NegotiatedSettings | undefined>(),
      generation: this.#generation,
      wait,
    };
    this.#startWaiters.push(waiting);
    const onAbort = () => {
      this.#startWaiters = this.#startWaiters.filter((w) => w !== waiting);
      waiting.reject(options.signal!.reason);
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    return waiting.promise.finally(() => options.signal?.removeEventListener("abort", onAbort));
  }

  /**
   * Sends DISCONNECT (with the MQTT 5 reason code and properties given), closes the
   * connection, fails every pending operation with a {@linkcode ClientStoppedError} and
   * resolves once the client is fully stopped. A stopped client can be started again; its
   * session (in-flight QoS 1 / 2 state) carries over.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.#running) {
      await this.#loop;
      return;
    }
    // First, since it checks the DISCONNECT fields: a refused stop() changes nothing.
    this.#session.disconnect(options, this.#clock.now());
    this.#running = false;
    this.#abandonAll(
      new ClientStoppedError("Cannot complete the operation: the client was stopped"),
    );
    this.#stopController.abort(new ClientStoppedError("The client was stopped"));
    this.#pump();
    await this.#loop;
  }

  /**
   * Publishes a message. Resolves per `wait`: "none" once queued, "sent" once written, "ack"
   * (default) with the PUBACK / PUBREC reason code and properties. A failure reason code
   * rejects with a {@linkcode ReasonCodeError}.
   */
  publish(
    topic: string,
    payload: Uint8Array | string,
    options: PublishOptions & { wait?: "ack" },
  ): Promise<PublishResult>;
  /** Publishes and resolves once queued ("none") or written ("sent"). */
  publish(
    topic: string,
    payload: Uint8Array | string,
    options: PublishOptions & { wait: "none" | "sent" },
  ): Promise<void>;
  /** Publishes a QoS 0 message and resolves once it is written. */
  publish(topic: string, payload: Uint8Array | string): Promise<PublishResult>;
  publish(
    topic: string,
    payload: Uint8Array | string,
    options: PublishOptions = {},
  ): Promise<PublishResult | void> {
    const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
    const qos = options.qos ?? 0;
    const wait = options.wait ?? "ack";
    const refused = this.#refuse("publish", options);
    if (refused) return refused;
    let id: number;
    try {
      id = this.#session.publish(
        { topic, payload: bytes, qos, retain: options.retain, properties: options.properties },
        this.#clock.now(),
      );
    } catch (error) {
      return Promise.reject(error);
    }
    const tracked = this.#track(id, "publish", options, wait, qos > 0);
    // Not encoded at once (a write in progress, offline, throttled): keep the bytes as
    // they are now. QoS 1 / 2 payloads were copied by the session, which keeps them.
    if (qos === 0) this.#session.ownPayload(id);
    return tracked as Promise<PublishResult | void>;
  }

  /**
   * Adds a local subscriber to one or more topic filters. Local subscribers of a filter
   * share one broker subscription (made for the first, at the highest QoS asked for, and
   * removed after the last leaves); each gets the filter's messages through its `handler`
   * or by iterating the returned {@linkcode ClientSubscription}, which is also awaitable
   * for one SUBACK reason code per filter. Deliveries never hold up the connection: each
   * subscriber has its own bounded buffer (`bufferSize`, `overflow`). With MQTT 5 and
   * subscription identifiers, messages are routed by identifier, otherwise by matching.
   * A message no local subscription takes goes to the "message" event.
   *
   * @throws {TypeError} If a filter or an option is invalid.
   * @throws {RangeError} If `qos`, `retainHandling` or `bufferSize` is out of range.
   */
  subscribe(
    filters: string | string[],
    options: LocalSubscribeOptions = {},
  ): ClientSubscription {
    const topicFilters = typeof filters === "string" ? [filters] : [...filters];
    if (topicFilters.length === 0) {
      throw new TypeError("Cannot subscribe: give at least one topic filter");
    }
    const managed = options.retry ? { ...options, onRetry: this.#onSubscriptionRetry } : options;
    const locals = topicFilters.map((topicFilter) =>
      this.#subscriptions.subscribe(topicFilter, managed)
    );
    const subscription = new LocalFilters(topicFilters, locals, options.handler === undefined);
    for (const local of locals) this.#byLocal.set(local, subscription);
    return subscription;
  }

  /**
   * Sends SUBSCRIBE for one or more topic filters, outside the local subscriptions (their
   * messages arrive as "message" events), and resolves with one reason code per filter, in
   * order: the granted QoS, or a failure code (0x80 and above). With `wait` "none" or
   * "sent" it resolves once queued or written instead.
   */
  sendSubscribe(
    filters: string | string[] | Subscription[],
    options?: SubscribeOptions & { wait?: "ack" },
  ): Promise<SubscriptionResult>;
  /** Sends SUBSCRIBE and resolves once queued ("none") or written ("sent"). */
  sendSubscribe(
    filters: string | string[] | Subscription[],
    options: SubscribeOptions & { wait: "none" | "sent" },
  ): Promise<void>;
  sendSubscribe(
    filters: string | string[] | Subscription[],
    options: SubscribeOptions = {},
  ): Promise<SubscriptionResult | void> {
    const wait = options.wait ?? "ack";
    const list = (Array.isArray(filters) ? filters : [filters]) as (string | Subscription)[];
    const subscriptions = list.map((entry): Subscription =>
      typeof entry === "string"
        ? {
          topicFilter: entry,
          qos: options.qos ?? 0,
          noLocal: options.noLocal,
          retainAsPublished: options.retainAsPublished,
          retainHandling: options.retainHandling,
        }
        : entry
    );
    const subscribeBatch = (batch: Subscription[]) => {
      const refused = this.#refuse("subscribe", options);
      if (refused) return refused;
      let id: number;
      try {
        id = this.#session.subscribe(
          { subscriptions: batch, properties: options.properties },
          this.#clock.now(),
        );
      } catch (error) {
        return Promise.reject(error);
      }
      return this.#track(id, "subscribe", options, wait, true) as Promise<SubscriptionResult>;
    };
    const batches = this.#limits?.splitSubscribe(subscriptions);
    if (!batches || batches.length <= 1) return subscribeBatch(subscriptions);
    // The broker takes only so many filters per SUBSCRIBE: one packet per batch, one result.
    const all = Promise.all(batches.map(subscribeBatch));
    if (wait !== "ack") return all.then(() => {});
    return all.then((results) => ({
      reasonCodes: results.flatMap((result) => result.reasonCodes),
      properties: results.find((result) => result.properties)?.properties,
    }));
  }

  /**
   * Sends UNSUBSCRIBE for filters subscribed with {@linkcode sendSubscribe}; resolves with
   * one reason code per filter. (End a local subscription with its own `unsubscribe()`.)
   */
  sendUnsubscribe(
    filters: string | string[],
    options?: UnsubscribeOptions & { wait?: "ack" },
  ): Promise<SubscriptionResult>;
  /** Sends UNSUBSCRIBE and resolves once queued ("none") or written ("sent"). */
  sendUnsubscribe(
    filters: string | string[],
    options: UnsubscribeOptions & { wait: "none" | "sent" },
  ): Promise<void>;
  sendUnsubscribe(
    filters: string | string[],
    options: UnsubscribeOptions = {},
  ): Promise<SubscriptionResult | void> {
    const topicFilters = Array.isArray(filters) ? filters : [filters];
    const refused = this.#refuse("unsubscribe", options);
    if (refused) return refused;
    let id: number;
    try {
      id = this.#session.unsubscribe(
        { topicFilters, properties: options.properties },
        this.#clock.now(),
      );
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#track(id, "unsubscribe", options, options.wait ?? "ack", true) as Promise<
      SubscriptionResult
    >;
  }

  /**
   * Sends a PINGREQ now, ahead of anything queued (coreMQTT-Agent's `MQTTAgent_Ping`), and
   * resolves with the round trip once the PINGRESP arrives; a keep-alive PINGREQ already
   * outstanding is waited for instead of sending another. Rejects with a
   * `ConnectionClosedError` when not connected or when the connection closes first, a
   * `TimeoutError` after `timeoutMs` (or `pingTimeoutMs`, which also closes the connection as
   * dead), or the signal's reason.
   *
   * @example Measure the round trip
   * ```ts ignore
   * import { MqttClient } from "@tern/agent";
   *
   * const client = new MqttClient({ url: "mqtt://127.0.0.1:1883" });
   * await client.start();
   * const { roundTripMs } = await client.ping({ timeoutMs: 5000 });
   * console.log(`${roundTripMs} ms`);
   * await client.stop();
   * ```
   */
  ping(options: OperationOptions = {}): Promise<PingResult> {
    const refused = this.#refuse("ping", options);
    if (refused) return refused;
    let id: number;
    try {
      id = this.#session.ping(this.#clock.now());
    } catch (error) {
      return Promise.reject(error);
    }
    const result = this.#track(id, "ping", options, "ack", true) as Promise<PingResult>;
    // A ping that joins an outstanding PINGREQ writes nothing of its own: the PINGRESP
    // settles it, and can only follow a PINGREQ that was written.
    const pending = this.#ops.get(id);
    if (pending) pending.written = true;
    return result;
  }

  /**
   * MQTT 5 request / response: subscribes (once) to a response topic, publishes `payload`
   * with that Response Topic and fresh Correlation Data, and resolves with the first message
   * carrying the same Correlation Data. Rejects with a TimeoutError after `timeoutMs`
   * (default 30000).
   */
  async request(
    topic: string,
    payload: Uint8Array | string,
    options: RequestOptions = {},
  ): Promise<InboundMessage> {
    if (this.#session.protocolVersion !== 5) {
      throw new TypeError("Cannot send a request: request / response needs MQTT 5");
    }
    const qos = options.qos ?? 1;
    const requests = this.#requests ??= new RequestRouter();
    const responseTopic = options.responseTopic ?? `tern/response/${requests.id}`;
    const abandoned = this.#abandoned;
    await requests.ensureSubscribed(
      responseTopic,
      () => this.sendSubscribe(responseTopic, { qos, signal: options.signal }),
    );
    // stop() failed every request it found, but this one was between its SUBACK and its
    // PUBLISH then: it must end the same way, not be queued for the next connection.
    if (this.#abandoned !== abandoned) throw this.#abandoned!;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const { correlationData, response, cancel } = requests.expect(responseTopic);
    const timer = this.#clock.setTimeout(
      () =>
        cancel(
          new TimeoutError(
            `Cannot complete request to "${topic}": no response within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    const onAbort = () => cancel(options.signal!.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await this.publish(topic, payload, {
        qos,
        signal: options.signal,
        properties: { ...options.properties, responseTopic, correlationData },
      });
      return await response;
    } catch (error) {
      cancel(error as Error);
      throw error;
    } finally {
      this.#clock.clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * MQTT 5 re-authentication (§4.12.1): sends AUTH (Re-authenticate) with the
   * authenticator's initial data, answers its challenges, and resolves when the server
   * answers AUTH Success. A refusal arrives as a disconnection, which rejects.
   */
  async reauthenticate(): Promise<void> {
    const authenticator = this.#options.authenticator;
    if (!authenticator) {
      throw new TypeError("Cannot re-authenticate: the client has no authenticator");
    }
    if (this.#session.state !== "connected") {
      throw new TypeError("Cannot re-authenticate: the client is not connected");
    }
    const data = await authenticator.initialData?.();
    const done = withResolvers<void>();
    this.#reauthentication?.reject(new Error("Re-authentication started again"));
    this.#reauthentication = done;
    this.#session.sendAuth({ reasonCode: 0x19, authenticationData: data }, this.#clock.now());
    this.#pump();
    try {
      await done.promise;
    } finally {
      if (this.#reauthentication === done) this.#reauthentication = undefined;
    }
  }

  // ---- operations -------------------------------------------------------------------------

  /** A rejection when the operation must not be queued at all (aborted, bad timeout). */
  #refuse(kind: OperationKind, options: OperationOptions): Promise<never> | undefined {
    try {
      options.signal?.throwIfAborted();
      if (options.timeoutMs !== undefined && !(options.timeoutMs >= 0)) {
        throw new RangeError(`Cannot ${kind}: timeoutMs must be a number of at least 0`);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return undefined;
  }

  /**
   * Follows the operation the session queued as `id` until it settles. (The callers queue
   * it themselves, rather than through a closure: publish is the hot path.)
   */
  #track(
    id: number,
    kind: OperationKind,
    options: OperationOptions,
    wait: "none" | "sent" | "ack",
    resendable: boolean,
  ): Promise<OperationResult | undefined> {
    const pending = new Pending(
      id,
      kind,
      wait === "sent" ? "sent" : "ack",
      resendable,
      this.#forget,
    );
    this.#ops.set(id, pending);
    if (options.signal || options.timeoutMs !== undefined) {
      pending.watch(options.signal, options.timeoutMs, this.#clock);
    }
    // Enqueuing reports nothing: the writer is woken to poll for it.
    if (this.#link) this.#link.wake();
    else this.#processEvents();
    if (wait === "none") {
      // The caller does not wait; a later failure must not surface as an unhandled rejection.
      pending.promise.catch(() => {});
      return Promise.resolve(undefined);
    }
    return pending.promise;
  }

  #abandonAll(error: Error): void {
    this.#abandoned = error;
    this.#session.abandonOperations();
    this.#session.forgetSubscriptions();
    for (const pending of [...this.#ops.values()]) pending.reject(error);
    this.#requests?.failAll(error);
    this.#subscriptions.close(error);
  }

  // ---- the connection loop ----------------------------------------------------------------

  async #run(signal: AbortSignal, generation: number): Promise<void> {
    let stopError: Error | undefined;
    let lastError: Error | undefined;
    let attempt = 0;
    while (!signal.aborted) {
      attempt++;
      const server = this.#servers.current;
      this.#emitter.emit("attemptingconnect", { attempt, server });
      let accepted = false;
      const version = this.#session.protocolVersion;
      let error: Error;
      try {
        const transport = await prepareAttempt({ attempt, server, lastError, signal }, {
          provider: this.#options.connectOptionsProvider,
          servers: this.#servers,
          session: this.#session,
        });
        const connection = await transport.open({ signal });
        const link = this.#link = new Link(this.#host, connection);
        try {
          error = await link.serve();
        } finally {
          this.#link = undefined;
          accepted = link.accepted;
        }
      } catch (cause) {
        if (signal.aborted) break;
        error = cause as Error;
        this.#emitter.emit("connectionfailure", { error });
      }
      if (signal.aborted) break;
      lastError = error;
      try {
        if (this.#options.shouldReconnect?.(error) === false) {
          stopError = error;
          break;
        }
      } catch (hookError) {
        stopError = hookError as Error;
        break;
      }
      // protocolVersion "auto": the server does not speak that version; try the next at once.
      if (this.#session.protocolVersion !== version) continue;
      // The next server of this round goes at once; a round's end waits the reconnect delay.
      if (!this.#servers.ended(error, accepted)) continue;
      const wait = this.#reconnect?.nextDelay(this.#clock.now(), error);
      if (wait === undefined) {
        stopError = error;
        break;
      }
      this.#servers.waited();
      try {
        await delay(wait, this.#clock, signal);
      } catch {
        break;
      }
    }
    if (this.#running && generation === this.#generation) {
      // The reconnect policy gave up: the same end as stop(), without a DISCONNECT to send.
      this.#running = false;
      this.#abandonAll(
        new ClientStoppedError("Cannot complete the operation: the client stopped reconnecting", {
          cause: stopError,
        }),
      );
    }
    const waiters = this.#startWaiters.filter((w) => w.generation === generation);
    this.#startWaiters = this.#startWaiters.filter((w) => w.generation !== generation);
    const reason = stopError ?? new ClientStoppedError("Cannot start: the client was stopped");
    for (const waiter of waiters) waiter.reject(reason);
    this.#emitter.emit("stopped", { error: stopError });
  }

  #processEvents(): void {
    // A message taken during dispatch wakes the writer, which asks for events again.
    if (this.#processing) return;
    this.#processing = true;
    try {
      for (let event = this.#session.pollEvent(); event; event = this.#session.pollEvent()) {
        this.#handleEvent(event);
      }
    } finally {
      this.#processing = false;
    }
  }

  /**
   * Hands a message to a waiting request, the local subscriptions it matches, or the
   * "message" listeners; a QoS 1 / 2 one is acknowledged once they have taken it (the
   * subscriptions per their `ack` mode, the listeners once they were called).
   */
  #deliver(message: InboundMessage, delivery: InboundDelivery | undefined): void {
    const taken = delivery && (() => {
      this.#session.messageTaken(delivery, this.#clock.now());
      this.#link?.wake();
    });
    if (this.#requests?.deliver(message)) return taken?.();
    // dispatch() only queues for subscribers, so a slow one never delays keep-alive.
    if (this.#subscriptions.dispatch(message, taken) > 0) return;
    // Taken once the listeners had it, as a subscription takes a message into its buffer:
    // a listener's promise is not waited for (a program that stops once it has what it
    // wants would otherwise leave without acknowledging it).
    this.#emitter.emit("message", message);
    taken?.();
  }

  /**
   * A handler or listener failed: the "error" event gets it, or without a listener,
   * console.error once per subscription (or event type). It never reaches the runtime's
   * uncaught-error path, which ends a Deno or Node process.
   */
  #reportError(
    error: unknown,
    context: { subscription?: ClientSubscription; message?: InboundMessage; event?: string },
  ): void {
    if (context.event !== "error" && this.#emitter.has("error")) {
      this.#emitter.emit("error", {
        error,
        subscription: context.subscription,
        message: context.message,
      });
      return;
    }
    const { subscription, event } = context;
    if (subscription) {
      if (this.#logged.has(subscription)) return;
      this.#logged.add(subscription);
    } else {
      const key = event ?? "";
      if (this.#loggedEvents.has(key)) return;
      this.#loggedEvents.add(key);
    }
    const where = subscription
      ? `the handler of the subscription to "${subscription.topicFilters.join('", "')}"`
      : event
      ? `a "${event}" listener`
      : "the client";
    console.error(
      `MqttClient: ${where} failed (reported once; listen to "error" for every failure):`,
      error,
    );
  }

  #handleEvent(event: SessionEvent): void {
    switch (event.type) {
      case "message":
        return this.#deliver(event.message, event.delivery);
      case "completed": {
        const pending = this.#ops.get(event.operation);
        if (!pending) return;
        if (pending.written) pending.resolve(event.result);
        else pending.result = event.result;
        return;
      }
      case "failed":
        this.#ops.get(event.operation)?.reject(event.error);
        return;
      case "connectionsuccess": {
        if (this.#link) this.#link.accepted = true;
        this.#servers.connected();
        this.#reconnect?.connected?.(this.#clock.now());
        if (!event.settings.rejoinedSession) this.#requests?.forgetSubscriptions();
        this.#emitter.emit("connectionsuccess", {
          connack: event.connack,
          settings: event.settings,
        });
        const waiters = this.#startWaiters;
        this.#startWaiters = [];
        for (const waiter of waiters) waiter.resolve(event.settings);
        return;
      }
      case "connectionfailure":
        this.#beginClose(event.error);
        this.#emitter.emit(
          "connectionfailure",
          event.connack ? { error: event.error, connack: event.connack } : { error: event.error },
        );
        return;
      case "disconnection":
        this.#beginClose(event.error);
        this.#emitter.emit(
          "disconnection",
          event.disconnect
            ? { error: event.error, disconnect: event.disconnect }
            : { error: event.error },
        );
        return;
      case "ignoredack":
        this.#emitter.emit("ignoredack", { packet: event.packet });
        return;
      case "auth":
        void this.#answerAuth(event.packet);
        return;
    }
  }

  #beginClose(error: Error): void {
    this.#reauthentication?.reject(error);
    this.#link?.beginClose(error);
  }

  /** After any input outside a read: report events, and let the connection write. */
  #pump(): void {
    if (this.#link) this.#link.pump();
    else this.#processEvents();
  }

  async #answerAuth(packet: Packet & { type: "auth" }): Promise<void> {
    const authenticator = this.#options.authenticator!;
    if (packet.reasonCode === 0) {
      this.#reauthentication?.resolve();
      return;
    }
    try {
      const data = await authenticator.challenge(packet.properties?.authenticationData, packet);
      if (this.#session.state === "disconnected") return;
      this.#session.sendAuth({ reasonCode: 0x18, authenticationData: data }, this.#clock.now());
    } catch (error) {
      // The authenticator cannot continue: end the exchange as a failed connection.
      this.#session.disconnect({ reasonCode: 0x87 }, this.#clock.now());
      this.#beginClose(error as Error);
    }
    this.#pump();
  }
}
