/**
 * `@tern/agent/sqlite-store`: a durable session store on SQLite.
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { openDatabase } from "./_sqlite.ts";
import type { PublishPacket, PublishProperties, QoS } from "@tern/codec";
import type { OutboundEntry, OutboundState, SessionStore } from "./session_store.ts";
import { checkClientId, checkOutboundEntry, checkPacketId } from "./_store_checks.ts";

export type { OutboundEntry, OutboundState, SessionStore } from "./session_store.ts";

/** Options for {@linkcode SqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file, created when missing; `":memory:"` keeps it in memory. */
  path: string;
  /**
   * SQLite's `synchronous` setting. `"normal"` (the default, with a write-ahead log) keeps every
   * completed call across a crash or kill of the process; `"full"` also across a power loss,
   * at the cost of one disk flush per call.
   */
  synchronous?: "normal" | "full";
}

/** Bumped when the tables change; a database written by another version is refused, not guessed at. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tern_outbound (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id TEXT NOT NULL,
  packet_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload BLOB NOT NULL,
  qos INTEGER NOT NULL,
  retain INTEGER NOT NULL,
  dup INTEGER NOT NULL,
  properties TEXT,
  correlation_data BLOB,
  UNIQUE (client_id, packet_id)
);
CREATE TABLE IF NOT EXISTS tern_inbound (
  client_id TEXT NOT NULL,
  packet_id INTEGER NOT NULL,
  PRIMARY KEY (client_id, packet_id)
) WITHOUT ROWID;
`;

interface OutboundRow {
  packet_id: number;
  state: string;
  topic: string;
  payload: Uint8Array;
  qos: number;
  retain: number;
  dup: number;
  properties: string | null;
  correlation_data: Uint8Array | null;
}

/**
 * A durable {@linkcode SessionStore} on SQLite (`node:sqlite`, built into Deno, Bun and
 * Node 22.13+). It is the `@tern/agent/sqlite-store` entry point, not part of `mod.ts`, so that
 * edge runtimes without `node:sqlite` can load the client. Where `node:sqlite` is missing
 * (Node 20), this module still loads and the constructor throws an error naming the runtime
 * and the alternatives (`MemoryStore`, or a runtime that has it).
 *
 * Every call is one transaction that has completed when the call returns, so a process that
 * is killed at any moment leaves either the state before a call or the state after it. A new
 * process opening the same file with the same client id finds the unacknowledged QoS 1 / 2
 * publishes in their original order and can resend them [MQTT-4.4.0-1].
 *
 * @example Keep in-flight state in a file
 * ```ts
 * import { SqliteStore } from "@tern/agent/sqlite-store";
 *
 * const path = await Deno.makeTempFile({ suffix: ".db" });
 * const packet = {
 *   type: "publish" as const,
 *   topic: "t",
 *   payload: new Uint8Array([1]),
 *   qos: 2 as const,
 *   retain: false,
 *   dup: false,
 *   packetId: 1,
 * };
 * const store = new SqliteStore({ path });
 * store.putOutbound("device-1", { packetId: 1, state: "awaitingAck", packet });
 * store.close();
 *
 * const reopened = new SqliteStore({ path });
 * console.log(reopened.outbound("device-1")[0].packetId); // 1
 * reopened.close();
 * await Deno.remove(path);
 * ```
 */
export class SqliteStore implements SessionStore {
  #db: DatabaseSync;
  #closed = false;
  #selectOutbound: StatementSync;
  #upsertOutbound: StatementSync;
  #deleteOutbound: StatementSync;
  #selectInbound: StatementSync;
  #insertInbound: StatementSync;
  #deleteInbound: StatementSync;
  #clearOutbound: StatementSync;
  #clearInbound: StatementSync;

  /** Opens (or creates) the database; throws when it was written by another schema version. */
  constructor(options: SqliteStoreOptions) {
    if (typeof options?.path !== "string" || options.path === "") {
      throw new TypeError("Cannot open session store: path must be a non-empty string");
    }
    const synchronous = options.synchronous ?? "normal";
    if (synchronous !== "normal" && synchronous !== "full") {
      throw new TypeError(
        `Cannot open session store: synchronous must be "normal" or "full", got ${
          String(synchronous)
        }`,
      );
    }
    this.#db = openDatabase(options.path, "session store", "MemoryStore");
    try {
      const { user_version: version } = this.#db.prepare("PRAGMA user_version").get() as {
        user_version: number;
      };
      if (version !== 0 && version !== SCHEMA_VERSION) {
        throw new Error(
          `Cannot open session store: ${options.path} has schema version ${version}, expected ${SCHEMA_VERSION}`,
        );
      }
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
      this.#db.exec(SCHEMA);
      this.#db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#selectOutbound = this.#db.prepare(
      "SELECT packet_id, state, topic, payload, qos, retain, dup, properties, correlation_data " +
        "FROM tern_outbound WHERE client_id = ? ORDER BY seq",
    );
    // The conflict branch updates the row in place, so its seq (the resend order) survives.
    this.#upsertOutbound = this.#db.prepare(
      "INSERT INTO tern_outbound " +
        "(client_id, packet_id, state, topic, payload, qos, retain, dup, properties, correlation_data) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
        "ON CONFLICT (client_id, packet_id) DO UPDATE SET state = excluded.state, " +
        "topic = excluded.topic, payload = excluded.payload, qos = excluded.qos, " +
        "retain = excluded.retain, dup = excluded.dup, properties = excluded.properties, " +
        "correlation_data = excluded.correlation_data",
    );
    this.#deleteOutbound = this.#db.prepare(
      "DELETE FROM tern_outbound WHERE client_id = ? AND packet_id = ?",
    );
    this.#selectInbound = this.#db.prepare(
      "SELECT packet_id FROM tern_inbound WHERE client_id = ? ORDER BY packet_id",
    );
    this.#insertInbound = this.#db.prepare(
      "INSERT OR IGNORE INTO tern_inbound (client_id, packet_id) VALUES (?, ?)",
    );
    this.#deleteInbound = this.#db.prepare(
      "DELETE FROM tern_inbound WHERE client_id = ? AND packet_id = ?",
    );
    this.#clearOutbound = this.#db.prepare("DELETE FROM tern_outbound WHERE client_id = ?");
    this.#clearInbound = this.#db.prepare("DELETE FROM tern_inbound WHERE client_id = ?");
  }

  /** Outbound entries not yet completed, in original send order. */
  outbound(clientId: string): OutboundEntry[] {
    this.#check("read outbound entries", clientId);
    const rows = this.#selectOutbound.all(clientId) as unknown as OutboundRow[];
    return rows.map(rowToEntry);
  }

  /** Adds an outbound entry, or replaces the one with the same packet id in its place. */
  putOutbound(clientId: string, entry: OutboundEntry): void {
    this.#check("store outbound entry", clientId);
    checkOutboundEntry("store outbound entry", entry);
    const { packet } = entry;
    const { correlationData, ...properties } = packet.properties ?? {};
    const values: SQLInputValue[] = [
      clientId,
      entry.packetId,
      entry.state,
      packet.topic,
      packet.payload,
      packet.qos,
      packet.retain ? 1 : 0,
      packet.dup ? 1 : 0,
      packet.properties ? JSON.stringify(properties) : null,
      correlationData ?? null,
    ];
    this.#upsertOutbound.run(...values);
  }

  /** Removes an outbound entry once PUBACK or PUBCOMP arrived. */
  deleteOutbound(clientId: string, packetId: number): void {
    this.#check("delete outbound entry", clientId);
    checkPacketId("delete outbound entry", packetId);
    this.#deleteOutbound.run(clientId, packetId);
  }

  /** Packet ids of inbound QoS 2 publishes delivered but not yet released by PUBREL. */
  inboundReceived(clientId: string): number[] {
    this.#check("read inbound packet ids", clientId);
    return (this.#selectInbound.all(clientId) as unknown as { packet_id: number }[]).map((row) =>
      row.packet_id
    );
  }

  /** Records that an inbound QoS 2 publish was delivered to the application. */
  putInboundReceived(clientId: string, packetId: number): void {
    this.#check("store inbound packet id", clientId);
    checkPacketId("store inbound packet id", packetId);
    this.#insertInbound.run(clientId, packetId);
  }

  /** Forgets an inbound QoS 2 packet id once PUBREL arrived. */
  deleteInboundReceived(clientId: string, packetId: number): void {
    this.#check("delete inbound packet id", clientId);
    checkPacketId("delete inbound packet id", packetId);
    this.#deleteInbound.run(clientId, packetId);
  }

  /** Forgets everything about a session (clean start, or the broker lost it), atomically. */
  clear(clientId: string): void {
    this.#check("clear session", clientId);
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#clearOutbound.run(clientId);
      this.#clearInbound.run(clientId);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** Closes the database; later calls throw. Safe to call more than once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #check(action: string, clientId: string): void {
    if (this.#closed) throw new Error(`Cannot ${action}: the session store is closed`);
    checkClientId(action, clientId);
  }
}

function rowToEntry(row: OutboundRow): OutboundEntry {
  const packet: PublishPacket = {
    type: "publish",
    topic: row.topic,
    payload: row.payload,
    qos: row.qos as QoS,
    retain: row.retain === 1,
    dup: row.dup === 1,
    packetId: row.packet_id,
  };
  if (row.properties !== null) {
    const properties = JSON.parse(row.properties) as PublishProperties;
    if (row.correlation_data !== null) properties.correlationData = row.correlation_data;
    packet.properties = properties;
  }
  return { packetId: row.packet_id, state: row.state as OutboundState, packet };
}
