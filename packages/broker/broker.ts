/**
 * The embeddable MQTT 3.1.1 / 5.0 broker.
 *
 * @module
 */
import type { Connection, Transport } from "@tern/transport";
import type { BrokerEvents, BrokerHooks } from "./hooks.ts";
import { type BrokerLimits, resolveLimits } from "./limits.ts";
import { memoryPair } from "./memory_transport.ts";
import { BrokerCore } from "./_core.ts";
import { serveConnection } from "./_serve.ts";
import type { Listener, ListenOptions, Peer, WebSocketListenOptions } from "./listener.ts";
import type { Persistence } from "./persistence.ts";
import { restore, snapshotOf } from "./_snapshot.ts";

/**
 * Options for {@linkcode Broker}.
 *
 * @example A broker with a small packet limit
 * ```ts
 * import { Broker, type BrokerOptions } from "@tern/broker";
 *
 * const options: BrokerOptions = { limits: { maximumPacketSize: 65536 } };
 * await using broker = new Broker(options);
 * console.log(broker.limits.maximumPacketSize); // 65536
 * ```
 */
export interface BrokerOptions {
  /** Bounds on what clients may make the broker hold; see {@linkcode BrokerLimits}. */
  limits?: Partial<BrokerLimits>;
  /** Authentication and authorization. */
  hooks?: BrokerHooks;
  /** Keeps sessions and retained messages across restarts (e.g. `SqlitePersistence`). */
  persistence?: Persistence;
}

/**
 * Counters of a running broker.
 *
 * @example Read them
 * ```ts
 * import { Broker } from "@tern/broker";
 *
 * await using broker = new Broker();
 * console.log(broker.stats().connections); // 0
 * ```
 */
export interface BrokerStats {
  /** Open connections (CONNECT not yet answered included). */
  connections: number;
  /** Sessions kept, connected or not. */
  sessions: number;
  /** Subscriptions across sessions (a shared group counts once). */
  subscriptions: number;
  /** Retained messages. */
  retained: number;
  /** Messages published (by clients and wills) since the start. */
  published: number;
  /** Connections accepted since the start. */
  accepted: number;
}

/**
 * An MQTT 3.1.1 and 5.0 broker that runs in-process: for development, tests, demos,
 * browsers and small single-process deployments. It serves an in-memory transport
 * ({@linkcode Broker.connect}), TCP and TLS ({@linkcode Broker.listen}) and WebSocket
 * ({@linkcode Broker.listenWebSocket}). Not a replacement for mosquitto, EMQX or HiveMQ at scale.
 *
 * @example Publish and subscribe through an in-memory broker
 * ```ts
 * import { Broker } from "@tern/broker";
 * import { Decoder, encode } from "@tern/codec";
 * import assert from "node:assert/strict";
 *
 * await using broker = new Broker();
 * const connection = await broker.connect().open();
 * await connection.write(encode({
 *   type: "connect", clientId: "doc", cleanStart: true, keepAlive: 0,
 * }, { version: 5 }));
 * const reader = connection.readable.getReader();
 * const [connack] = new Decoder({ version: 5 }).push((await reader.read()).value!);
 * assert.equal(connack.type === "connack" && connack.reasonCode, 0);
 * reader.releaseLock();
 * await connection.close();
 * ```
 */
export class Broker implements AsyncDisposable {
  readonly #core: BrokerCore;
  readonly #hooks: BrokerHooks;
  readonly #listeners = new Set<Listener>();
  readonly #connections = new Set<{ connection: Connection; done: Promise<void> }>();
  readonly #handlers = new Map<keyof BrokerEvents, Set<(event: never) => void>>();
  readonly #persistence?: Persistence;
  #timer?: ReturnType<typeof setTimeout>;
  #timerAt = Infinity;
  #accepted = 0;
  #closed = false;

  /** Creates a broker; it serves nothing until a transport or listener is opened. */
  constructor(options: BrokerOptions = {}) {
    this.#hooks = options.hooks ?? {};
    this.#persistence = options.persistence;
    this.#core = new BrokerCore({
      limits: resolveLimits(options.limits),
      emit: (type, event) => {
        for (const handler of this.#handlers.get(type) ?? []) {
          (handler as (event: BrokerEvents[typeof type]) => void)(event);
        }
      },
      wake: () => this.#arm(),
    });
    const saved = this.#persistence?.load();
    if (saved) restore(this.#core, saved, Date.now());
    this.#arm();
  }

  /** The limits in force, defaults filled in. */
  get limits(): Readonly<BrokerLimits> {
    return this.#core.limits;
  }

  /**
   * A {@linkcode Transport} whose connections go straight into this broker, with no socket:
   * `new MqttClient({ transport: broker.connect() })`.
   */
  connect(): Transport {
    return {
      open: () => {
        if (this.#closed) return Promise.reject(new Error("Cannot connect: the broker is closed"));
        const [client, server] = memoryPair();
        this.serve(server, { remoteAddress: "memory" });
        return Promise.resolve(client);
      },
    };
  }

  /**
   * Serves MQTT on any {@linkcode Connection} (one the application accepted itself);
   * resolves when the connection has ended.
   */
  serve(connection: Connection, peer: Peer = { remoteAddress: "unknown" }): Promise<void> {
    if (this.#closed) return connection.close();
    this.#accepted++;
    const entry = {
      connection,
      done: serveConnection(this.#core, connection, peer, this.#hooks).finally(() => {
        this.#connections.delete(entry);
        // While closing, the one save at the end covers every connection.
        if (!this.#closed) this.#persistence?.save(snapshotOf(this.#core));
      }),
    };
    this.#connections.add(entry);
    return entry.done;
  }

  /**
   * Listens for MQTT over TCP, or TLS when `cert` and `key` are given (with `ca`, client
   * certificates are requested; `requireClientCertificate` refuses connections without one).
   * Uses `Deno.listen` on Deno (plain TCP) and `node:net` / `node:tls` elsewhere (and for TLS).
   */
  async listen(options: ListenOptions = {}): Promise<Listener> {
    const { listenTcp } = await import("./_tcp_listener.ts");
    return this.#track(
      await listenTcp(options, (connection, peer) => this.serve(connection, peer)),
    );
  }

  /** Listens for MQTT over WebSocket (subprotocol `mqtt`) with `Deno.serve`. */
  async listenWebSocket(options: WebSocketListenOptions = {}): Promise<Listener> {
    const { listenWebSocket } = await import("./_websocket_listener.ts");
    return this.#track(
      await listenWebSocket(options, (connection, peer) => this.serve(connection, peer)),
    );
  }

  #track(listener: Listener): Listener {
    const close = listener.close.bind(listener);
    const tracked: Listener = {
      ...listener,
      close: () => {
        this.#listeners.delete(tracked);
        return close();
      },
    };
    this.#listeners.add(tracked);
    return tracked;
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof BrokerEvents>(type: K, handler: (event: BrokerEvents[K]) => void): () => void {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, set = new Set());
    set.add(handler as (event: never) => void);
    return () => set.delete(handler as (event: never) => void);
  }

  /** The broker's counters. */
  stats(): BrokerStats {
    const core = this.#core;
    return {
      connections: core.connections.size,
      sessions: core.sessions.size,
      subscriptions: core.router.subscriptionCount,
      retained: core.router.retained.size,
      published: core.published,
      accepted: this.#accepted,
    };
  }

  /**
   * Stops listening and closes every connection (MQTT 5 clients get DISCONNECT 0x8B Server
   * shutting down); persistent state is saved if a persistence was given.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#listeners].map((listener) => listener.close()));
    const now = Date.now();
    for (const client of [...this.#core.connections]) {
      client.fail(0x8b, "Server shutting down", now);
    }
    await Promise.all([...this.#connections].map((entry) => entry.done));
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#persistence?.save(snapshotOf(this.#core));
    this.#persistence?.close();
  }

  /** Closes the broker. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // One timer for every will delay and session expiry: set for the earliest.
  #arm(): void {
    const next = this.#core.nextDeadline();
    if (next === undefined || next >= this.#timerAt || this.#closed) return;
    clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#core.tick(Date.now());
      this.#arm();
    }, Math.min(Math.max(0, next - Date.now()), 2 ** 31 - 1));
  }
}
