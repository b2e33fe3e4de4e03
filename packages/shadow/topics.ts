/**
 * Shadow topic assembly and matching, equivalent to the FreeRTOS Device Shadow library's
 * `Shadow_AssembleTopicString` and `Shadow_MatchTopicString` (spec §1.2, §2.1).
 *
 * @module
 */

/** `$aws/things/` (FreeRTOS `SHADOW_PREFIX`). */
export const SHADOW_PREFIX = "$aws/things/";
/** Longest thing name, in characters (spec §1.1). */
export const SHADOW_THING_NAME_MAX_LENGTH = 128;
/** Longest shadow name, in characters (spec §1.1). */
export const SHADOW_NAME_MAX_LENGTH = 64;

/** The eleven shadow topics (FreeRTOS `ShadowTopicStringType_t`). */
export type ShadowTopicType =
  | "get"
  | "get/accepted"
  | "get/rejected"
  | "delete"
  | "delete/accepted"
  | "delete/rejected"
  | "update"
  | "update/accepted"
  | "update/rejected"
  | "update/documents"
  | "update/delta";

/** Every {@linkcode ShadowTopicType}, in the FreeRTOS enum's order. */
export const SHADOW_TOPIC_TYPES: readonly ShadowTopicType[] = [
  "get",
  "get/accepted",
  "get/rejected",
  "delete",
  "delete/accepted",
  "delete/rejected",
  "update",
  "update/accepted",
  "update/rejected",
  "update/documents",
  "update/delta",
];

/** Which shadow of which thing: the classic shadow when `shadowName` is absent. */
export interface ShadowName {
  /** 1–128 characters of `[a-zA-Z0-9:_-]`. */
  thingName: string;
  /** 1–64 characters of `[$a-zA-Z0-9:_-]`; absent for the classic (unnamed) shadow. */
  shadowName?: string;
}

/** What {@linkcode matchShadowTopic} found in a topic. */
export interface ShadowTopicMatch extends ShadowName {
  /** Which of the eleven shadow topics it is. */
  type: ShadowTopicType;
}

const THING_NAME_PATTERN = /^[a-zA-Z0-9:_-]+$/;
const SHADOW_NAME_PATTERN = /^[$a-zA-Z0-9:_-]+$/;

/**
 * Checks a thing name and an optional shadow name against spec §1.1; returns an error
 * message, or `undefined` when both are valid.
 */
export function shadowNameProblem(name: ShadowName): string | undefined {
  const { thingName, shadowName } = name;
  if (typeof thingName !== "string" || thingName.length === 0) {
    return "thing name is empty";
  }
  if (thingName.length > SHADOW_THING_NAME_MAX_LENGTH) {
    return `thing name is longer than ${SHADOW_THING_NAME_MAX_LENGTH} characters`;
  }
  if (!THING_NAME_PATTERN.test(thingName)) {
    return `thing name "${thingName}" does not match [a-zA-Z0-9:_-]+`;
  }
  if (shadowName === undefined) return undefined;
  if (typeof shadowName !== "string" || shadowName.length === 0) {
    return "shadow name is empty";
  }
  if (shadowName.length > SHADOW_NAME_MAX_LENGTH) {
    return `shadow name is longer than ${SHADOW_NAME_MAX_LENGTH} characters`;
  }
  if (!SHADOW_NAME_PATTERN.test(shadowName)) {
    return `shadow name "${shadowName}" does not match [$a-zA-Z0-9:_-]+`;
  }
  return undefined;
}

/**
 * The topic prefix of a shadow: `$aws/things/{thing}/shadow` or
 * `$aws/things/{thing}/shadow/name/{shadow}`.
 *
 * @example Prefixes of a classic and a named shadow
 * ```ts
 * import { shadowTopicPrefix } from "@tern/shadow";
 *
 * console.log(shadowTopicPrefix({ thingName: "lamp1" })); // "$aws/things/lamp1/shadow"
 * console.log(shadowTopicPrefix({ thingName: "lamp1", shadowName: "cfg" }));
 * // "$aws/things/lamp1/shadow/name/cfg"
 * ```
 *
 * @throws {TypeError} when a name is empty, too long or has characters outside its pattern
 */
export function shadowTopicPrefix(name: ShadowName): string {
  const problem = shadowNameProblem(name);
  if (problem) throw new TypeError(`Cannot assemble shadow topic: ${problem}`);
  const root = `${SHADOW_PREFIX}${name.thingName}/shadow`;
  return name.shadowName === undefined ? root : `${root}/name/${name.shadowName}`;
}

/**
 * Assembles a shadow topic (FreeRTOS `Shadow_AssembleTopicString`).
 *
 * @example The update/delta topic of a named shadow
 * ```ts
 * import { shadowTopic } from "@tern/shadow";
 *
 * console.log(shadowTopic("update/delta", { thingName: "lamp1", shadowName: "cfg" }));
 * // "$aws/things/lamp1/shadow/name/cfg/update/delta"
 * ```
 *
 * @throws {TypeError} when a name is invalid or `type` is not a shadow topic type
 */
export function shadowTopic(type: ShadowTopicType, name: ShadowName): string {
  if (!SHADOW_TOPIC_TYPES.includes(type)) {
    throw new TypeError(`Cannot assemble shadow topic: unknown topic type "${type}"`);
  }
  return `${shadowTopicPrefix(name)}/${type}`;
}

/**
 * Parses a topic into thing name, shadow name and topic type (FreeRTOS
 * `Shadow_MatchTopicString`), or returns `undefined` when it is not a shadow topic. As in
 * FreeRTOS, a name must be non-empty, at most 128 (thing) or 64 (shadow) characters, and end
 * at a `/`; the characters of the names are not checked here (spec §1.10).
 *
 * @example Match a named shadow's delta topic
 * ```ts
 * import { matchShadowTopic } from "@tern/shadow";
 *
 * console.log(matchShadowTopic("$aws/things/lamp1/shadow/name/cfg/update/delta"));
 * // { type: "update/delta", thingName: "lamp1", shadowName: "cfg" }
 * console.log(matchShadowTopic("$aws/things/lamp1/shadow/update/delta/extra")); // undefined
 * ```
 */
export function matchShadowTopic(topic: string): ShadowTopicMatch | undefined {
  if (!topic.startsWith(SHADOW_PREFIX)) return undefined;
  const thingEnd = topic.indexOf("/", SHADOW_PREFIX.length);
  if (thingEnd < 0) return undefined;
  const thingName = topic.slice(SHADOW_PREFIX.length, thingEnd);
  if (thingName.length === 0 || thingName.length > SHADOW_THING_NAME_MAX_LENGTH) return undefined;
  let rest = topic.slice(thingEnd);
  if (!rest.startsWith("/shadow/")) return undefined;
  rest = rest.slice("/shadow/".length);
  let shadowName: string | undefined;
  if (rest.startsWith("name/")) {
    const nameEnd = rest.indexOf("/", "name/".length);
    if (nameEnd < 0) return undefined;
    shadowName = rest.slice("name/".length, nameEnd);
    if (shadowName.length === 0 || shadowName.length > SHADOW_NAME_MAX_LENGTH) return undefined;
    rest = rest.slice(nameEnd + 1);
  }
  const type = SHADOW_TOPIC_TYPES.find((candidate) => candidate === rest);
  if (type === undefined) return undefined;
  return shadowName === undefined ? { type, thingName } : { type, thingName, shadowName };
}
