/**
 * Delta computation: which desired fields the device has not reported yet (spec §1.7).
 *
 * @module
 */
import type { JsonObject, ShadowMetadataNode } from "./document.ts";
import { clone, deepEqual, isObject, setKey } from "./_json.ts";
import type { MetadataObject } from "./merge.ts";

/**
 * The delta between desired and reported (spec §1.7): desired-only keys are included,
 * nested objects compare leaf by leaf (only differing leaves appear, with their full path),
 * arrays and scalars compare whole, reported-only keys never appear. Returns `undefined`
 * when nothing differs.
 *
 * @example The constructed example of spec §1.7
 * ```ts
 * import { computeDelta } from "@tern/shadow";
 *
 * const desired = { light: { on: true, rgb: [255, 0, 0] }, mode: "eco" };
 * const reported = { light: { on: true, rgb: [0, 0, 0] }, fw: "1.2" };
 * console.log(computeDelta(desired, reported));
 * // { light: { rgb: [255, 0, 0] }, mode: "eco" }
 * ```
 */
export function computeDelta(
  desired: JsonObject | undefined,
  reported: JsonObject | undefined,
): JsonObject | undefined {
  if (desired === undefined) return undefined;
  const result: JsonObject = {};
  for (const [key, want] of Object.entries(desired)) {
    const have = reported !== undefined && Object.hasOwn(reported, key) ? reported[key] : undefined;
    if (isObject(want) && isObject(have)) {
      const sub = computeDelta(want, have);
      if (sub !== undefined) setKey(result, key, sub);
    } else if (have === undefined || !deepEqual(want, have)) {
      setKey(result, key, clone(want));
    }
  }
  return Object.keys(result).length === 0 ? undefined : result;
}

/**
 * The desired-side metadata pruned to the shape of a delta (spec §1.4 "update/delta",
 * §1.7).
 *
 * @example
 * ```ts
 * import { deltaMetadata } from "@tern/shadow";
 *
 * const metadata = { on: { timestamp: 10 }, lvl: { timestamp: 20 } };
 * console.log(deltaMetadata({ on: true }, metadata)); // { on: { timestamp: 10 } }
 * ```
 */
export function deltaMetadata(delta: JsonObject, desiredMetadata: MetadataObject): MetadataObject {
  const result: MetadataObject = {};
  for (const [key, value] of Object.entries(delta)) {
    const node = desiredMetadata[key];
    const pruned: ShadowMetadataNode = isObject(value) && isObject(node) && !Array.isArray(node)
      ? deltaMetadata(value, node as MetadataObject)
      : node;
    Object.defineProperty(result, key, {
      value: pruned,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}
