/**
 * Where the local shadow service keeps shadows: an interface with a memory and an SQLite
 * implementation.
 *
 * @module
 */
import type { ShadowMetadata, ShadowState } from "./document.ts";
import type { ShadowName } from "./topics.ts";

/** A stored shadow, or the tombstone of a deleted one. */
export interface ShadowRecord {
  /** Desired and reported; empty sections are absent. */
  state: ShadowState;
  /** Per-field metadata, mirroring `state`. */
  metadata: ShadowMetadata;
  /** The current version, or the version the shadow had when it was deleted. */
  version: number;
  /**
   * When the shadow was deleted, in epoch seconds; absent for a live shadow. The tombstone
   * keeps the version so that a shadow re-created within 48 hours continues from it
   * (spec §1.6 "Version").
   */
  deletedAt?: number;
}

/**
 * Storage of shadow records, keyed by thing and shadow name. Synchronous, so that the
 * service applies each request atomically and in arrival order. Implementations keep
 * their own copies: callers may mutate what they pass in and what they get back.
 *
 * @example A store is two methods
 * ```ts
 * import type { ShadowRecord, ShadowStore } from "@tern/shadow";
 *
 * const records = new Map<string, ShadowRecord>();
 * const store: ShadowStore = {
 *   get: (name) => structuredClone(records.get(JSON.stringify(name))),
 *   put: (name, record) => void records.set(JSON.stringify(name), structuredClone(record)),
 * };
 * store.put({ thingName: "lamp1" }, { state: {}, metadata: {}, version: 1 });
 * console.log(store.get({ thingName: "lamp1" })?.version); // 1
 * ```
 */
export interface ShadowStore {
  /** The record of a shadow (live or deleted), or `undefined` if there never was one. */
  get(name: ShadowName): ShadowRecord | undefined;
  /** Replaces the record of a shadow. */
  put(name: ShadowName, record: ShadowRecord): void;
}
