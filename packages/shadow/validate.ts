/**
 * Request validation in the documented order (spec §1.3, §1.5 "Recommended validation
 * order", steps 1–6); the version comparison and the size check need the stored shadow and
 * happen in the {@linkcode ShadowEngine}.
 *
 * @module
 */
import type { JsonObject, JsonValue } from "./document.ts";
import { isObject, utf8Length } from "./_json.ts";
import { SHADOW_ERROR_MESSAGES } from "./errors.ts";
import { nestingDepth } from "./merge.ts";

/** Longest client token, in UTF-8 bytes (spec §1.3, §1.8). */
export const CLIENT_TOKEN_MAX_BYTES = 64;

/** An update request that passed validation. */
export interface UpdateRequest {
  /**
   * The request's `state` without a `delta` key: `null` clears both sections, a section set
   * to `null` clears that section.
   */
  state: { desired?: JsonObject | null; reported?: JsonObject | null } | null;
  /** The expected stored version, when the request carried one. */
  version?: number;
  /** The client token to echo, when the request carried one. */
  clientToken?: string;
}

/** A request the service rejects, before touching the stored shadow. */
export interface RequestProblem {
  /** HTTP status code of the rejection. */
  code: number;
  /** The exact message (spec §1.5). */
  message: string;
  /** The request's client token, once it was read (step 3). */
  clientToken?: string;
}

/** The outcome of validation: the request, or why it is rejected. */
export type Validated<T> = { ok: true; request: T } | { ok: false; problem: RequestProblem };

const decoder = new TextDecoder("utf-8", { fatal: true });

function reject(
  code: number,
  message: string,
  clientToken?: string,
): { ok: false; problem: RequestProblem } {
  const problem: RequestProblem = { code, message };
  if (clientToken !== undefined) problem.clientToken = clientToken;
  return { ok: false, problem };
}

function decodeObject(payload: Uint8Array): Validated<JsonObject> {
  let text: string;
  try {
    text = decoder.decode(payload);
  } catch {
    return reject(415, SHADOW_ERROR_MESSAGES.unsupportedEncoding);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return reject(400, SHADOW_ERROR_MESSAGES.invalidJson);
  }
  if (!isObject(parsed)) return reject(400, SHADOW_ERROR_MESSAGES.invalidJson);
  return { ok: true, request: parsed };
}

function isValidToken(token: unknown): token is string {
  return typeof token === "string" && utf8Length(token) <= CLIENT_TOKEN_MAX_BYTES;
}

function containsNullInArray(value: JsonValue): boolean {
  if (Array.isArray(value)) {
    return value.some((item) => item === null || containsNullInArray(item));
  }
  return isObject(value) && Object.values(value).some(containsNullInArray);
}

/** Options for {@linkcode validateUpdate}. */
export interface ValidateUpdateOptions {
  /** Deepest allowed nesting of desired or reported, counted as {@linkcode nestingDepth} does. */
  maxDepth?: number;
}

/**
 * Validates an `/update` payload, in the documented order (spec §1.5): 415 for bytes that
 * are not UTF-8; 400 `Invalid JSON`; 400 `Invalid clientToken`; the structure (`state`
 * present; `state`, `desired` and `reported` objects or null; no other keys in `state`); the
 * nesting depth; no null in arrays; the type of `version`. A `delta` key in `state` is
 * dropped (spec §1.3).
 *
 * @example A version that is not a number
 * ```ts
 * import { validateUpdate } from "@tern/shadow";
 *
 * const payload = new TextEncoder().encode('{"state":{},"version":"3","clientToken":"t"}');
 * console.log(validateUpdate(payload));
 * // { ok: false, problem: { code: 400, message: "Invalid version", clientToken: "t" } }
 * ```
 */
export function validateUpdate(
  payload: Uint8Array,
  options: ValidateUpdateOptions = {},
): Validated<UpdateRequest> {
  const maxDepth = options.maxDepth ?? 6;
  const decoded = decodeObject(payload);
  if (!decoded.ok) return decoded;
  const document = decoded.request;

  let clientToken: string | undefined;
  if (document.clientToken !== undefined) {
    if (!isValidToken(document.clientToken)) {
      return reject(400, SHADOW_ERROR_MESSAGES.invalidClientToken);
    }
    clientToken = document.clientToken;
  }

  if (!Object.hasOwn(document, "state")) {
    return reject(400, SHADOW_ERROR_MESSAGES.missingState, clientToken);
  }
  const state = document.state;
  if (state !== null && !isObject(state)) {
    return reject(400, SHADOW_ERROR_MESSAGES.stateNotObject, clientToken);
  }
  const request: UpdateRequest = { state: null };
  if (clientToken !== undefined) request.clientToken = clientToken;
  if (state !== null) {
    const sections: { desired?: JsonObject | null; reported?: JsonObject | null } = {};
    for (const [key, value] of Object.entries(state)) {
      if (key === "delta") continue;
      if (key !== "desired" && key !== "reported") {
        return reject(400, SHADOW_ERROR_MESSAGES.invalidStateNode, clientToken);
      }
      if (value !== null && !isObject(value)) {
        const message = key === "desired"
          ? SHADOW_ERROR_MESSAGES.desiredNotObject
          : SHADOW_ERROR_MESSAGES.reportedNotObject;
        return reject(400, message, clientToken);
      }
      sections[key] = value;
    }
    for (const section of [sections.desired, sections.reported]) {
      if (section && nestingDepth(section, maxDepth + 1) > maxDepth) {
        return reject(400, tooDeepMessage(maxDepth), clientToken);
      }
    }
    // Checked after the depth, so that the recursion is bounded by the depth limit.
    for (const section of [sections.desired, sections.reported]) {
      if (section && containsNullInArray(section)) {
        return reject(400, SHADOW_ERROR_MESSAGES.nullInArray, clientToken);
      }
    }
    request.state = sections;
  }

  if (document.version !== undefined) {
    const version = document.version;
    if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 0) {
      return reject(400, SHADOW_ERROR_MESSAGES.invalidVersion, clientToken);
    }
    request.version = version;
  }
  return { ok: true, request };
}

function tooDeepMessage(maxDepth: number): string {
  return `JSON contains too many levels of nesting; maximum is ${maxDepth}`;
}

/** A get or delete request that passed validation. */
export interface TokenRequest {
  /** The client token to echo, when the request carried one. */
  clientToken?: string;
}

/**
 * Reads a `/get` or `/delete` payload: an empty payload, or a JSON object whose only
 * meaningful member is `clientToken` (spec §1.3). Content that is not a JSON object is
 * ignored, as AWS documents for delete; a client token longer than 64 bytes is rejected with
 * 400 `Invalid clientToken`, because echoing it would break the token contract.
 *
 * @example
 * ```ts
 * import { validateTokenRequest } from "@tern/shadow";
 *
 * console.log(validateTokenRequest(new TextEncoder().encode('{"clientToken":"t1"}')));
 * // { ok: true, request: { clientToken: "t1" } }
 * console.log(validateTokenRequest(new Uint8Array()));
 * // { ok: true, request: {} }
 * ```
 */
export function validateTokenRequest(payload: Uint8Array): Validated<TokenRequest> {
  if (payload.length === 0) return { ok: true, request: {} };
  const decoded = decodeObject(payload);
  if (!decoded.ok || decoded.request.clientToken === undefined) return { ok: true, request: {} };
  const token = decoded.request.clientToken;
  if (!isValidToken(token)) return reject(400, SHADOW_ERROR_MESSAGES.invalidClientToken);
  return { ok: true, request: { clientToken: token } };
}
