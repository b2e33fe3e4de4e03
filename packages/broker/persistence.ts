/**
 * The interface through which the broker keeps sessions and retained messages across
 * restarts.
 *
 * @module
 */
import type { BrokerCore } from "./_core.ts";

/**
 * A store for the broker's durable state. The broker calls `restore` once when created,
 * `save` after each connection ends and when it closes, and `close` last.
 * `SqlitePersistence` (`@tern/broker/sqlite-persistence`) is the one provided.
 *
 * @example A persistence that keeps nothing
 * ```ts
 * import { Broker, type Persistence } from "@tern/broker";
 *
 * const persistence: Persistence = { restore() {}, save() {}, close() {} };
 * await using broker = new Broker({ persistence });
 * ```
 */
export interface Persistence {
  /** Loads saved sessions and retained messages into a new broker. */
  restore(state: BrokerState, now: number): void;
  /** Writes the current sessions and retained messages. */
  save(state: BrokerState): void;
  /** Releases the store. */
  close(): void;
}

/** The broker's state as persistence sees it (opaque outside the package). */
export type BrokerState = BrokerCore;
