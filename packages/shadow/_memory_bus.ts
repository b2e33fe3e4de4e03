/**
 * An in-process message bus with MQTT topic matching, handing out {@linkcode MqttLike}
 * connections: for unit tests that need no broker. Published examples use public names only,
 * so this file is left out of the package, with the topic matcher only it and tests use.
 *
 * @module
 */
import type {
  MqttLike,
  MqttLikeMessage,
  MqttLikeQosOptions,
  MqttLikeSubscription,
} from "./mqtt_like.ts";
import { topicMatches } from "./_topic_match.ts";

export { topicMatches };

interface BusSubscription {
  filter: string;
  handler: (message: MqttLikeMessage) => void;
}

/** One client's view of a {@linkcode MemoryBus}. */
export class MemoryConnection implements MqttLike {
  readonly #bus: MemoryBus;
  readonly subscriptions = new Set<BusSubscription>();
  readonly #sessionLost = new Set<() => void>();
  /** Every message this connection published, in order. */
  readonly published: { topic: string; payload: Uint8Array; qos: 0 | 1 }[] = [];
  /** Every subscribe call this connection made, in order. */
  readonly subscribed: { filter: string; qos: 0 | 1 }[] = [];
  /** When set, publish() rejects with it (a broken connection). */
  failPublish?: Error;

  constructor(bus: MemoryBus) {
    this.#bus = bus;
  }

  publish(topic: string, payload: Uint8Array, options: MqttLikeQosOptions): Promise<void> {
    if (this.failPublish) return Promise.reject(this.failPublish);
    this.published.push({ topic, payload: payload.slice(), qos: options.qos });
    this.#bus.deliver({ topic, payload: payload.slice() });
    return Promise.resolve();
  }

  subscribe(
    filter: string,
    handler: (message: MqttLikeMessage) => void,
    options: MqttLikeQosOptions,
  ): Promise<MqttLikeSubscription> {
    const subscription = { filter, handler };
    this.subscriptions.add(subscription);
    this.subscribed.push({ filter, qos: options.qos });
    return Promise.resolve({
      unsubscribe: () => {
        this.subscriptions.delete(subscription);
        return Promise.resolve();
      },
    });
  }

  onSessionLost(listener: () => void): () => void {
    this.#sessionLost.add(listener);
    return () => this.#sessionLost.delete(listener);
  }

  /** Simulates a reconnect without session: the subscriptions are gone, listeners are told. */
  loseSession(): void {
    this.subscriptions.clear();
    for (const listener of this.#sessionLost) listener();
  }
}

/** The bus: every published message reaches every matching subscription, asynchronously. */
export class MemoryBus {
  readonly #connections = new Set<MemoryConnection>();
  /** Filters that drop matching messages instead of delivering them (to simulate loss). */
  readonly blackholes = new Set<string>();

  /** A new client connection. */
  connect(): MemoryConnection {
    const connection = new MemoryConnection(this);
    this.#connections.add(connection);
    return connection;
  }

  /** Delivers a message to every matching subscription, each in its own microtask. */
  deliver(message: MqttLikeMessage): void {
    for (const filter of this.blackholes) {
      if (topicMatches(filter, message.topic)) return;
    }
    for (const connection of this.#connections) {
      for (const subscription of connection.subscriptions) {
        if (topicMatches(subscription.filter, message.topic)) {
          queueMicrotask(() => {
            if (connection.subscriptions.has(subscription)) subscription.handler(message);
          });
        }
      }
    }
  }
}

/**
 * Resolves once `condition()` holds, checking after each macrotask; gives up with an error
 * after `turns` checks, so that a broken test fails instead of hanging.
 */
export async function until(condition: () => boolean, what: string, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error(`Gave up waiting until ${what}`);
}
