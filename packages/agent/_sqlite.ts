import type { DatabaseSync } from "node:sqlite";

type Sqlite = typeof import("node:sqlite");

// Loaded here rather than imported, so that a runtime without node:sqlite (Node 20) can
// still load this entry point and be told what to do when it opens a store.
const sqlite: Sqlite | undefined = await import("node:sqlite").catch(() => undefined);

/**
 * Opens a database with `node:sqlite`, or says which runtime lacks it and what to use
 * instead: `alternative` names the store that needs no SQLite.
 */
export function openDatabase(path: string, what: string, alternative: string): DatabaseSync {
  if (!sqlite) {
    throw new Error(
      `Cannot open ${what}: ${runtimeName()} has no node:sqlite; use ${alternative}, ` +
        "or run on Node 22.13 or later, Bun or Deno",
    );
  }
  return new sqlite.DatabaseSync(path);
}

function runtimeName(): string {
  const versions = (globalThis as { process?: { versions?: Record<string, string> } }).process
    ?.versions;
  if (versions?.bun) return `Bun ${versions.bun}`;
  if (versions?.node) return `Node ${versions.node}`;
  return "this runtime";
}
