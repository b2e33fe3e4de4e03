/**
 * The interface through which the broker keeps sessions and retained messages across
 * restarts, and the plain snapshot it exchanges.
 *
 * @module
 */
import type { QoS } from "@tern/codec";

/**
 * A message in a snapshot: the PUBLISH as MQTT 5 bytes (topic, payload, flags and
 * properties, encoded by `@tern/codec`), plus what the bytes do not say.
 */
export interface MessageSnapshot {
  /** The message as an MQTT 5 PUBLISH (QoS and retain flag included). */
  packet: Uint8Array;
  /** When its Message Expiry Interval runs out (ms since the epoch), if it has one. */
  expiresAt?: number;
  /** For queued deliveries: the QoS it is delivered with. */
  qos?: QoS;
  /** For queued deliveries: the Subscription Identifiers it carries. */
  subscriptionIdentifiers?: number[];
}

/** One subscription of a session in a snapshot. */
export interface SubscriptionSnapshot {
  /** The filter as subscribed (`$share/…` included). */
  filter: string;
  /** Granted QoS. */
  qos: QoS;
  /** MQTT 5 No Local. */
  noLocal: boolean;
  /** MQTT 5 Retain As Published. */
  retainAsPublished: boolean;
  /** MQTT 5 Retain Handling. */
  retainHandling: 0 | 1 | 2;
  /** MQTT 5 Subscription Identifier. */
  identifier?: number;
}

/** A persistent session in a snapshot. */
export interface SessionSnapshot {
  /** Client identifier. */
  clientId: string;
  /** Seconds the session outlives its connection. */
  expiryInterval: number;
  /** When it ends (ms since the epoch), if it was disconnected with a finite expiry. */
  expiresAt?: number;
  /** Its subscriptions. */
  subscriptions: SubscriptionSnapshot[];
  /** Deliveries not yet acknowledged or not yet sent, oldest first. */
  queue: MessageSnapshot[];
  /** QoS 2 packet ids received and not yet released. */
  unreleased: number[];
}

/**
 * What a {@linkcode Persistence} stores: sessions that outlive their connection, and
 * retained messages.
 *
 * @example An empty snapshot
 * ```ts
 * import type { BrokerSnapshot } from "@tern/broker";
 *
 * const snapshot: BrokerSnapshot = { sessions: [], retained: [] };
 * console.log(snapshot.sessions.length); // 0
 * ```
 */
export interface BrokerSnapshot {
  /** Sessions with a non-zero Session Expiry Interval. */
  sessions: SessionSnapshot[];
  /** Retained messages. */
  retained: MessageSnapshot[];
}

/**
 * A store for the broker's durable state. The broker calls `load` once when created,
 * `save` after each connection ends and when it closes, and `close` last. A restart
 * resends QoS 1/2 messages that were in flight (a QoS 2 message whose PUBREL had been sent
 * is taken as delivered). `SqlitePersistence` (`@tern/broker/sqlite-persistence`) is the
 * one provided.
 *
 * @example A persistence that keeps the last snapshot in memory
 * ```ts
 * import { Broker, type BrokerSnapshot, type Persistence } from "@tern/broker";
 *
 * let saved: BrokerSnapshot | undefined;
 * const persistence: Persistence = {
 *   load: () => saved,
 *   save: (snapshot) => void (saved = snapshot),
 *   close() {},
 * };
 * await new Broker({ persistence }).close();
 * console.log(saved?.sessions.length); // 0
 * ```
 */
export interface Persistence {
  /** The snapshot saved last, if any. */
  load(): BrokerSnapshot | undefined;
  /** Replaces what is stored with `snapshot`. */
  save(snapshot: BrokerSnapshot): void;
  /** Releases the store. */
  close(): void;
}
