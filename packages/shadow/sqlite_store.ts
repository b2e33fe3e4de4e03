/**
 * A {@linkcode ShadowStore} in SQLite, through `node:sqlite` (built into Deno, Bun and
 * Node 22.13+; no flags needed; on Node 20 the constructor says so). Its own export
 * subpath, `@tern/shadow/sqlite`, so that edge bundles never load `node:sqlite`.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { openDatabase } from "./_sqlite.ts";
import type { ShadowRecord, ShadowStore } from "./store.ts";
import type { ShadowName } from "./topics.ts";

/** Options for {@linkcode SqliteShadowStore}. */
export interface SqliteShadowStoreOptions {
  /** The database file; `":memory:"` for a private in-memory database. */
  path: string;
}

/**
 * Keeps shadows in an SQLite database file, so that they survive a restart of the service.
 * Each `put` is one statement, hence atomic.
 *
 * @example Shadows survive reopening the file
 * ```ts
 * import { SqliteShadowStore } from "@tern/shadow/sqlite";
 *
 * const path = await Deno.makeTempFile({ suffix: ".db" });
 * {
 *   using store = new SqliteShadowStore({ path });
 *   store.put({ thingName: "lamp1" }, { state: { reported: { on: true } }, metadata: {}, version: 7 });
 * }
 * {
 *   using store = new SqliteShadowStore({ path });
 *   console.log(store.get({ thingName: "lamp1" })?.version); // 7
 * }
 * await Deno.remove(path);
 * ```
 */
export class SqliteShadowStore implements ShadowStore, Disposable {
  #db: DatabaseSync;
  #select: StatementSync;
  #upsert: StatementSync;

  /** Opens (or creates) the database and its table. */
  constructor(options: SqliteShadowStoreOptions) {
    this.#db = openDatabase(options.path, "shadow store", "MemoryShadowStore");
    this.#db.exec(`CREATE TABLE IF NOT EXISTS shadows (
      thing_name TEXT NOT NULL,
      shadow_name TEXT NOT NULL,
      version INTEGER NOT NULL,
      deleted_at INTEGER,
      state TEXT NOT NULL,
      metadata TEXT NOT NULL,
      PRIMARY KEY (thing_name, shadow_name)
    )`);
    this.#select = this.#db.prepare(
      "SELECT version, deleted_at, state, metadata FROM shadows WHERE thing_name = ? AND shadow_name = ?",
    );
    this.#upsert = this.#db.prepare(
      `INSERT INTO shadows (thing_name, shadow_name, version, deleted_at, state, metadata)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (thing_name, shadow_name) DO UPDATE SET
         version = excluded.version, deleted_at = excluded.deleted_at,
         state = excluded.state, metadata = excluded.metadata`,
    );
  }

  /** The record of a shadow, or `undefined` if there never was one. */
  get(name: ShadowName): ShadowRecord | undefined {
    // The classic shadow is stored under the empty shadow name, which no named shadow has.
    const row = this.#select.get(name.thingName, name.shadowName ?? "") as
      | { version: number; deleted_at: number | null; state: string; metadata: string }
      | undefined;
    if (row === undefined) return undefined;
    const record: ShadowRecord = {
      state: JSON.parse(row.state),
      metadata: JSON.parse(row.metadata),
      version: row.version,
    };
    if (row.deleted_at !== null) record.deletedAt = row.deleted_at;
    return record;
  }

  /** Replaces the record of a shadow. */
  put(name: ShadowName, record: ShadowRecord): void {
    this.#upsert.run(
      name.thingName,
      name.shadowName ?? "",
      record.version,
      record.deletedAt ?? null,
      JSON.stringify(record.state),
      JSON.stringify(record.metadata),
    );
  }

  /** Closes the database; safe to call more than once. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  /** Closes the database. */
  [Symbol.dispose](): void {
    this.close();
  }
}
