/**
 * The in-memory {@linkcode ShadowStore}.
 *
 * @module
 */
import type { ShadowRecord, ShadowStore } from "./store.ts";
import type { ShadowName } from "./topics.ts";

/**
 * Keeps shadows in a `Map`; they are gone when the process ends.
 *
 * @example
 * ```ts
 * import { MemoryShadowStore } from "@tern/shadow";
 *
 * const store = new MemoryShadowStore();
 * store.put({ thingName: "lamp1", shadowName: "cfg" }, { state: {}, metadata: {}, version: 3 });
 * console.log(store.get({ thingName: "lamp1", shadowName: "cfg" })?.version); // 3
 * console.log(store.get({ thingName: "lamp1" })); // undefined
 * ```
 */
export class MemoryShadowStore implements ShadowStore {
  #records = new Map<string, string>();

  /** The record of a shadow, or `undefined` if there never was one. */
  get(name: ShadowName): ShadowRecord | undefined {
    const text = this.#records.get(key(name));
    return text === undefined ? undefined : JSON.parse(text);
  }

  /** Replaces the record of a shadow. */
  put(name: ShadowName, record: ShadowRecord): void {
    this.#records.set(key(name), JSON.stringify(record));
  }
}

function key(name: ShadowName): string {
  // "/" cannot occur in either name, so the pair maps to one key unambiguously.
  return `${name.thingName}/${name.shadowName ?? ""}`;
}
