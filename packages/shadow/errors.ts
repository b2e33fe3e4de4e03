/**
 * Errors of the shadow client, and the service's error messages (spec §1.5).
 *
 * @module
 */
import type { ShadowErrorDocument } from "./document.ts";

/**
 * The exact messages the shadow service sends with each error code (spec §1.5).
 *
 * @example Look up a message
 * ```ts
 * import { SHADOW_ERROR_MESSAGES } from "@tern/shadow";
 *
 * console.log(SHADOW_ERROR_MESSAGES.versionConflict); // "Version conflict"
 * ```
 */
export const SHADOW_ERROR_MESSAGES = {
  invalidJson: "Invalid JSON",
  missingState: "Missing required node: state",
  stateNotObject: "State node must be an object",
  desiredNotObject: "Desired node must be an object",
  reportedNotObject: "Reported node must be an object",
  invalidVersion: "Invalid version",
  invalidClientToken: "Invalid clientToken",
  tooDeep: "JSON contains too many levels of nesting; maximum is 6",
  invalidStateNode: "State contains an invalid node",
  nullInArray: "Array values must not be null",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  versionConflict: "Version conflict",
  payloadTooLarge: "The payload exceeds the maximum size allowed",
  unsupportedEncoding: "Unsupported documented encoding; supported encoding is UTF-8",
  tooManyRequests: "Too Many Requests",
  internalFailure: "Internal service failure",
} as const;

/**
 * The 404 message for a shadow that does not exist: the thing name for a classic shadow,
 * the shadow name for a named one (spec §1.5, §1.9 step 1).
 *
 * @example Messages of a classic and a named shadow
 * ```ts
 * import { noShadowMessage } from "@tern/shadow";
 *
 * console.log(noShadowMessage({ thingName: "lamp1" })); // "No shadow exists with name: 'lamp1'"
 * console.log(noShadowMessage({ thingName: "lamp1", shadowName: "cfg" }));
 * // "No shadow exists with name: 'cfg'"
 * ```
 */
export function noShadowMessage(name: { thingName: string; shadowName?: string }): string {
  return `No shadow exists with name: '${name.shadowName ?? name.thingName}'`;
}

/**
 * The shadow service rejected a request: carries the service's code and message, as
 * published on the operation's `/rejected` topic.
 *
 * @example Tell a version conflict from other rejections
 * ```ts
 * import { ShadowError } from "@tern/shadow";
 *
 * const error = new ShadowError({ code: 409, message: "Version conflict", clientToken: "t3" });
 * console.log(error instanceof ShadowError && error.code === 409); // true
 * console.log(error.message); // "Version conflict"
 * ```
 */
export class ShadowError extends Error {
  /** The HTTP status code: 400, 401, 403, 404, 409, 413, 415, 429 or 500. */
  readonly code: number;
  /** The client token of the rejected request, when the service echoed one. */
  readonly clientToken?: string;
  /** When the service generated the rejection (epoch seconds), when it said. */
  readonly timestamp?: number;

  /** Wraps the error document of a `/rejected` topic. */
  constructor(document: ShadowErrorDocument) {
    super(document.message);
    this.name = "ShadowError";
    this.code = document.code;
    this.clientToken = document.clientToken;
    this.timestamp = document.timestamp;
  }
}

/**
 * No response arrived within the request's timeout. The request may still have been
 * applied (a timeout does not mean the update failed).
 *
 * @example
 * ```ts
 * import { ShadowTimeoutError } from "@tern/shadow";
 *
 * const error = new ShadowTimeoutError("Cannot get shadow: no response within 5000 ms");
 * console.log(error.name); // "ShadowTimeoutError"
 * ```
 */
export class ShadowTimeoutError extends Error {
  /** Creates the error with a message naming the operation and the timeout. */
  constructor(message: string) {
    super(message);
    this.name = "ShadowTimeoutError";
  }
}
