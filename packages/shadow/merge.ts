/**
 * The merge of an update into a stored section, with its per-leaf metadata
 * (spec §1.6).
 *
 * @module
 */
import type { JsonObject, JsonValue, ShadowMetadataNode } from "./document.ts";
import { clone, isObject, setKey } from "./_json.ts";

/** Metadata of an object: one node per key. */
export type MetadataObject = { [key: string]: ShadowMetadataNode };

/**
 * The metadata of a value: `{ timestamp }` for every leaf (including `null`), objects
 * key by key, arrays element by element (spec §1.6 "Metadata").
 *
 * @example Metadata of a patch with an array and a deletion
 * ```ts
 * import { metadataOf } from "@tern/shadow";
 *
 * console.log(metadataOf({ rgb: [1, 2], mode: null }, 1700000000));
 * // { rgb: [{ timestamp: 1700000000 }, { timestamp: 1700000000 }], mode: { timestamp: 1700000000 } }
 * ```
 */
export function metadataOf(value: JsonValue, timestamp: number): ShadowMetadataNode {
  if (Array.isArray(value)) return value.map((item) => metadataOf(item, timestamp));
  if (!isObject(value)) return { timestamp };
  const result: MetadataObject = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(result, key, {
      value: metadataOf(item, timestamp),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

/**
 * Whether a patch value deletes its key: `null`, and, as in AWS's Greengrass ShadowManager,
 * an empty object (spec §1.6).
 */
function deletes(value: JsonValue): boolean {
  return value === null || (isObject(value) && Object.keys(value).length === 0);
}

/**
 * A copy of an object with `null` members removed at every depth; an object that held only
 * nulls becomes `undefined` (spec §1.6: "an object containing only nulls is not added").
 */
function withoutNulls(value: JsonObject): JsonObject | undefined {
  const result: JsonObject = {};
  let droppedNull = false;
  for (const [key, item] of Object.entries(value)) {
    if (item === null) {
      droppedNull = true;
    } else if (isObject(item)) {
      const child = withoutNulls(item);
      if (child === undefined) droppedNull = true;
      else setKey(result, key, child);
    } else {
      setKey(result, key, clone(item));
    }
  }
  return droppedNull && Object.keys(result).length === 0 ? undefined : result;
}

/**
 * Merges `patch` into a stored section (`desired` or `reported`) and its metadata, in
 * place (spec §1.6 `apply`): `null` deletes a key, objects merge recursively, scalars and
 * arrays replace the stored value whole, and the patch's type wins. Metadata mirrors the
 * state: touched leaves get `timestamp`, deleted keys lose theirs, the rest keep theirs.
 *
 * @example Null deletes, arrays replace, objects merge
 * ```ts
 * import { applyPatch } from "@tern/shadow";
 *
 * const state = { light: { on: false, rgb: [0, 0, 0] }, mode: "eco" };
 * const metadata = {};
 * applyPatch(state, metadata, { light: { rgb: [255, 0, 0] }, mode: null }, 1700000000);
 * console.log(state); // { light: { on: false, rgb: [255, 0, 0] } }
 * ```
 */
// The spec's apply(state, metadata, patch, timestamp), parameter for parameter; it recurses
// once per nested object, where an options object would be one allocation per level.
// deno-lint-ignore tern/exported-function-args-maximum
export function applyPatch(
  state: JsonObject,
  metadata: MetadataObject,
  patch: JsonObject,
  timestamp: number,
): void {
  for (const [key, value] of Object.entries(patch)) {
    if (deletes(value)) {
      delete state[key];
      delete metadata[key];
      continue;
    }
    const current = state[key];
    if (isObject(value) && isObject(current)) {
      let childMetadata = metadata[key];
      if (!isObject(childMetadata) || Array.isArray(childMetadata)) {
        childMetadata = {};
        setMetadata(metadata, key, childMetadata);
      }
      applyPatch(current, childMetadata as MetadataObject, value, timestamp);
      continue;
    }
    const stored = isObject(value) ? withoutNulls(value) : clone(value);
    if (stored === undefined) {
      delete state[key];
      delete metadata[key];
      continue;
    }
    setKey(state, key, stored);
    setMetadata(metadata, key, metadataOf(stored, timestamp));
  }
}

function setMetadata(target: MetadataObject, key: string, value: ShadowMetadataNode): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * The nesting depth of a section as AWS counts it: the section object is level 1 and each
 * non-empty nested object or array adds one (spec §1.8; the limit is 6). Scalars and empty
 * containers add nothing. Counting stops at `cap`, so hostile, deeply nested input costs no
 * more than `cap` levels of recursion.
 *
 * @example Seven object levels under reported
 * ```ts
 * import { nestingDepth } from "@tern/shadow";
 *
 * console.log(nestingDepth({ a: { b: { c: { d: { e: { f: { g: 1 } } } } } } })); // 7
 * console.log(nestingDepth({ a: 1, b: [], c: {} })); // 1
 * console.log(nestingDepth([[[[[1]]]]], 3)); // 3
 * ```
 */
export function nestingDepth(value: JsonValue, cap = 100): number {
  if (cap <= 0) return 0;
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  if (children.length === 0) return 0;
  let deepest = 0;
  for (const child of children) {
    deepest = Math.max(deepest, nestingDepth(child, cap - 1));
    if (deepest >= cap - 1) break;
  }
  return 1 + deepest;
}
