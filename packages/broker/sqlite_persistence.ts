/**
 * `@tern/broker/sqlite-persistence`: the broker's sessions and retained messages in a
 * SQLite file (`node:sqlite`, built into Deno and Node 22+).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type {
  BrokerSnapshot,
  MessageSnapshot,
  Persistence,
  SessionSnapshot,
} from "./persistence.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  client_id TEXT PRIMARY KEY,
  expiry_interval INTEGER NOT NULL,
  expires_at INTEGER,
  subscriptions TEXT NOT NULL,
  unreleased TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS queued (
  client_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  packet BLOB NOT NULL,
  expires_at INTEGER,
  qos INTEGER,
  subscription_identifiers TEXT,
  PRIMARY KEY (client_id, seq)
);
CREATE TABLE IF NOT EXISTS retained (
  seq INTEGER PRIMARY KEY,
  packet BLOB NOT NULL,
  expires_at INTEGER
);`;

type Row = Record<string, string | number | null | Uint8Array>;

/**
 * Keeps the broker's durable state in one SQLite file; each save replaces the previous
 * one in a single transaction, so a crash leaves either the old state or the new.
 *
 * @example Keep retained messages across a restart
 * ```ts
 * import { Broker } from "@tern/broker";
 * import { SqlitePersistence } from "@tern/broker/sqlite-persistence";
 *
 * const path = await Deno.makeTempFile({ suffix: ".db" });
 * const broker = new Broker({ persistence: new SqlitePersistence(path) });
 * await broker.close();
 * const again = new Broker({ persistence: new SqlitePersistence(path) });
 * console.log(again.stats().retained); // 0
 * await again.close();
 * await Deno.remove(path);
 * ```
 */
export class SqlitePersistence implements Persistence {
  #db: DatabaseSync;

  /** Opens (or creates) the database file at `path`. */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec(SCHEMA);
  }

  /** The snapshot saved last, or undefined for a new file. */
  load(): BrokerSnapshot | undefined {
    const db = this.#db;
    const sessions = new Map<string, SessionSnapshot>();
    for (const row of db.prepare("SELECT * FROM sessions").all() as Row[]) {
      sessions.set(row.client_id as string, {
        clientId: row.client_id as string,
        expiryInterval: row.expiry_interval as number,
        expiresAt: (row.expires_at as number | null) ?? undefined,
        subscriptions: JSON.parse(row.subscriptions as string),
        unreleased: JSON.parse(row.unreleased as string),
        queue: [],
      });
    }
    for (const row of db.prepare("SELECT * FROM queued ORDER BY client_id, seq").all() as Row[]) {
      const message = messageOf(row);
      if (row.qos !== null) message.qos = row.qos as 0 | 1 | 2;
      if (row.subscription_identifiers !== null) {
        message.subscriptionIdentifiers = JSON.parse(row.subscription_identifiers as string);
      }
      sessions.get(row.client_id as string)?.queue.push(message);
    }
    const retained = (db.prepare("SELECT * FROM retained ORDER BY seq").all() as Row[]).map(
      messageOf,
    );
    if (sessions.size === 0 && retained.length === 0) return undefined;
    return { sessions: [...sessions.values()], retained };
  }

  /** Replaces the stored state with `snapshot`. */
  save(snapshot: BrokerSnapshot): void {
    const db = this.#db;
    db.exec("BEGIN");
    try {
      db.exec("DELETE FROM sessions; DELETE FROM queued; DELETE FROM retained;");
      const session = db.prepare("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)");
      const queued = db.prepare("INSERT INTO queued VALUES (?, ?, ?, ?, ?, ?)");
      for (const saved of snapshot.sessions) {
        session.run(
          saved.clientId,
          saved.expiryInterval,
          saved.expiresAt ?? null,
          JSON.stringify(saved.subscriptions),
          JSON.stringify(saved.unreleased),
        );
        saved.queue.forEach((message, seq) =>
          queued.run(
            saved.clientId,
            seq,
            message.packet,
            message.expiresAt ?? null,
            message.qos ?? null,
            message.subscriptionIdentifiers
              ? JSON.stringify(message.subscriptionIdentifiers)
              : null,
          )
        );
      }
      const retained = db.prepare("INSERT INTO retained VALUES (?, ?, ?)");
      snapshot.retained.forEach((message, seq) =>
        retained.run(seq, message.packet, message.expiresAt ?? null)
      );
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }

  /** Closes the database. */
  close(): void {
    this.#db.close();
  }
}

function messageOf(row: Row): MessageSnapshot {
  const message: MessageSnapshot = { packet: new Uint8Array(row.packet as Uint8Array) };
  if (row.expires_at !== null) message.expiresAt = row.expires_at as number;
  return message;
}
