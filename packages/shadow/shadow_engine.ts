/**
 * The local shadow service's logic, without I/O: one request message in, the messages to
 * publish out (spec §1.2–1.8). The clock is an argument, so tests control every timestamp.
 *
 * @module
 */
import type {
  JsonObject,
  JsonValue,
  ShadowMetadata,
  ShadowSnapshot,
  ShadowState,
} from "./document.ts";
import { clone, utf8Length } from "./_json.ts";
import { computeDelta, deltaMetadata } from "./delta.ts";
import { noShadowMessage, SHADOW_ERROR_MESSAGES } from "./errors.ts";
import { applyPatch, type MetadataObject, metadataOf } from "./merge.ts";
import { MemoryShadowStore } from "./memory_store.ts";
import type { ShadowRecord, ShadowStore } from "./store.ts";
import {
  matchShadowTopic,
  type ShadowName,
  shadowNameProblem,
  shadowTopic,
  type ShadowTopicType,
} from "./topics.ts";
import { type RequestProblem, validateTokenRequest, validateUpdate } from "./validate.ts";

/** Options for {@linkcode ShadowEngine}. */
export interface ShadowEngineOptions {
  /** Where shadows are kept; a fresh {@linkcode MemoryShadowStore} by default. */
  store?: ShadowStore;
  /** Largest desired + reported after the merge, in bytes of JSON (spec §1.8); 8192. */
  maxDocumentBytes?: number;
  /**
   * Largest request payload, in bytes, before it is even parsed; 128 KiB, the AWS IoT broker
   * limit that applies before the shadow service sees a request (spec §1.8).
   */
  maxPayloadBytes?: number;
  /** Deepest nesting of desired or reported (spec §1.8); 6. */
  maxDepth?: number;
  /** Requests per second per thing, beyond which the service answers 429 (spec §1.8); 20. */
  maxRequestsPerSecond?: number;
  /** How long a deleted shadow's version is remembered, in seconds (spec §1.6); 48 hours. */
  deletedVersionRetentionSeconds?: number;
}

/** A message for the service to publish (at QoS 1). */
export interface ShadowOutput {
  /** The response topic. */
  topic: string;
  /** The JSON payload. */
  payload: JsonValue;
}

/** An incoming message on a shadow topic. */
export interface ShadowInput {
  /** The topic it was published to. */
  topic: string;
  /** Its payload bytes. */
  payload: Uint8Array;
}

const OPERATIONS = new Set<ShadowTopicType>(["get", "update", "delete"]);

/** What an accepted answer to a get or delete carries besides the shadow. */
interface Reply {
  timestamp: number;
  clientToken: string | undefined;
}

/**
 * The shadow service as a pure state machine over a {@linkcode ShadowStore}: feed it every
 * message published under `$aws/things/+/shadow/#` with the current time, publish what it
 * returns. Response topics and unknown topics produce nothing.
 *
 * @example The first update of a named shadow (spec §1.9 step 2)
 * ```ts
 * import { ShadowEngine } from "@tern/shadow";
 *
 * const engine = new ShadowEngine();
 * const out = engine.handle({
 *   topic: "$aws/things/lamp1/shadow/name/cfg/update",
 *   payload: new TextEncoder().encode('{"state":{"reported":{"on":false}},"clientToken":"t2"}'),
 * }, 1700000000_000);
 * console.log(out.map((message) => message.topic));
 * // ["$aws/things/lamp1/shadow/name/cfg/update/accepted", "$aws/things/lamp1/shadow/name/cfg/update/documents"]
 * ```
 */
export class ShadowEngine {
  #store: ShadowStore;
  #maxDocumentBytes: number;
  #maxDepth: number;
  #maxPayloadBytes: number;
  #maxRequestsPerSecond: number;
  #retentionSeconds: number;
  #second = -1;
  #requestsThisSecond = new Map<string, number>();

  /**
   * Creates an engine over `options.store` (or a new memory store).
   *
   * @throws {RangeError} when a limit is not positive
   */
  constructor(options: ShadowEngineOptions = {}) {
    this.#store = options.store ?? new MemoryShadowStore();
    this.#maxDocumentBytes = positive(options.maxDocumentBytes, 8192, "maxDocumentBytes");
    this.#maxDepth = positive(options.maxDepth, 6, "maxDepth");
    this.#maxPayloadBytes = positive(options.maxPayloadBytes, 128 * 1024, "maxPayloadBytes");
    this.#maxRequestsPerSecond = positive(options.maxRequestsPerSecond, 20, "maxRequestsPerSecond");
    this.#retentionSeconds = positive(
      options.deletedVersionRetentionSeconds,
      48 * 3600,
      "deletedVersionRetentionSeconds",
    );
  }

  /**
   * Handles one message; `now` is the current time in milliseconds since the epoch
   * (timestamps in documents are whole seconds).
   */
  handle(input: ShadowInput, now: number): ShadowOutput[] {
    const match = matchShadowTopic(input.topic);
    if (match === undefined || !OPERATIONS.has(match.type)) return [];
    const operation = match.type as "get" | "update" | "delete";
    const name: ShadowName = match.shadowName === undefined
      ? { thingName: match.thingName }
      : { thingName: match.thingName, shadowName: match.shadowName };
    const timestamp = Math.floor(now / 1000);
    const rejected = (problem: RequestProblem, withTimestamp = true): ShadowOutput[] => [{
      topic: shadowTopic(`${operation}/rejected`, name),
      payload: errorDocument(problem, withTimestamp ? timestamp : undefined),
    }];

    const nameProblem = serviceNameProblem(name);
    if (nameProblem !== undefined) {
      return [{
        topic: `${input.topic}/rejected`,
        payload: errorDocument({ code: 400, message: nameProblem }, timestamp),
      }];
    }
    if (this.#overRate(name.thingName, timestamp)) {
      const token = validateTokenRequest(input.payload);
      const clientToken = token.ok ? token.request.clientToken : undefined;
      return rejected({ code: 429, message: SHADOW_ERROR_MESSAGES.tooManyRequests, clientToken });
    }
    if (input.payload.length > this.#maxPayloadBytes) {
      return rejected({ code: 413, message: SHADOW_ERROR_MESSAGES.payloadTooLarge });
    }
    try {
      if (operation === "update") return this.#update(name, input.payload, timestamp, rejected);
      const request = validateTokenRequest(input.payload);
      if (!request.ok) return rejected(request.problem);
      const { clientToken } = request.request;
      const record = this.#store.get(name);
      if (record === undefined || record.deletedAt !== undefined) {
        // The real service's 404 carries no timestamp (spec §1.4, §1.9 step 1).
        return rejected({ code: 404, message: noShadowMessage(name), clientToken }, false);
      }
      const reply = { timestamp, clientToken };
      return operation === "get"
        ? this.#get(name, record, reply)
        : this.#delete(name, record, reply);
    } catch {
      // A failing store must not take the service down; AWS answers such failures with 500.
      return rejected({ code: 500, message: SHADOW_ERROR_MESSAGES.internalFailure });
    }
  }

  #overRate(thingName: string, second: number): boolean {
    if (second !== this.#second) {
      this.#second = second;
      this.#requestsThisSecond.clear();
    }
    const count = (this.#requestsThisSecond.get(thingName) ?? 0) + 1;
    this.#requestsThisSecond.set(thingName, count);
    return count > this.#maxRequestsPerSecond;
  }

  #get(name: ShadowName, record: ShadowRecord, reply: Reply): ShadowOutput[] {
    const { timestamp, clientToken } = reply;
    const state: JsonObject = { ...record.state } as JsonObject;
    const delta = computeDelta(record.state.desired, record.state.reported);
    if (delta !== undefined) state.delta = delta;
    return [{
      topic: shadowTopic("get/accepted", name),
      payload: withToken({
        state,
        metadata: record.metadata as JsonObject,
        version: record.version,
        timestamp,
      }, clientToken),
    }];
  }

  #delete(name: ShadowName, record: ShadowRecord, reply: Reply): ShadowOutput[] {
    const { timestamp, clientToken } = reply;
    this.#store.put(name, {
      state: {},
      metadata: {},
      version: record.version,
      deletedAt: timestamp,
    });
    return [{
      topic: shadowTopic("delete/accepted", name),
      payload: withToken({ version: record.version, timestamp }, clientToken),
    }];
  }

  #update(
    name: ShadowName,
    payload: Uint8Array,
    timestamp: number,
    rejected: (problem: RequestProblem, withTimestamp?: boolean) => ShadowOutput[],
  ): ShadowOutput[] {
    const validated = validateUpdate(payload, { maxDepth: this.#maxDepth });
    if (!validated.ok) return rejected(validated.problem);
    const request = validated.request;
    const { clientToken } = request;

    const stored = this.#store.get(name);
    const live = stored !== undefined && stored.deletedAt === undefined ? stored : undefined;
    // [spec §1.3] version, when given, must equal the stored one; a shadow that does not
    // exist has no version to match.
    if (request.version !== undefined && request.version !== live?.version) {
      return rejected({ code: 409, message: SHADOW_ERROR_MESSAGES.versionConflict, clientToken });
    }

    const state: ShadowState = live ? clone(live.state as JsonObject) : {};
    const metadata: ShadowMetadata = live ? clone(live.metadata as JsonObject) : {};
    if (request.state === null) {
      delete state.desired;
      delete state.reported;
      delete metadata.desired;
      delete metadata.reported;
    } else {
      for (const section of ["desired", "reported"] as const) {
        const patch = request.state[section];
        if (patch === undefined) continue;
        if (patch === null) {
          delete state[section];
          delete metadata[section];
          continue;
        }
        const target = state[section] ?? {};
        const targetMetadata = (metadata[section] ?? {}) as MetadataObject;
        applyPatch(target, targetMetadata, patch, timestamp);
        if (Object.keys(target).length === 0) {
          delete state[section];
          delete metadata[section];
        } else {
          state[section] = target;
          metadata[section] = targetMetadata;
        }
      }
    }
    // [spec §1.8] the merged desired + reported counts, metadata does not.
    if (utf8Length(JSON.stringify(state)) > this.#maxDocumentBytes) {
      return rejected({ code: 413, message: SHADOW_ERROR_MESSAGES.payloadTooLarge, clientToken });
    }

    const version = live
      ? live.version + 1
      : stored !== undefined && timestamp - (stored.deletedAt ?? 0) <= this.#retentionSeconds
      ? stored.version + 1
      : 1;
    const record: ShadowRecord = { state, metadata, version };
    this.#store.put(name, record);

    const echo: JsonValue = request.state === null ? null : request.state as JsonObject;
    const out: ShadowOutput[] = [{
      topic: shadowTopic("update/accepted", name),
      payload: withToken({
        state: echo,
        metadata: metadataOf(echo, timestamp) as JsonValue,
        version,
        timestamp,
      }, clientToken),
    }];
    const delta = computeDelta(state.desired, state.reported);
    if (delta !== undefined) {
      out.push({
        topic: shadowTopic("update/delta", name),
        payload: withToken({
          version,
          timestamp,
          state: delta,
          metadata: deltaMetadata(delta, (metadata.desired ?? {}) as MetadataObject) as JsonObject,
        }, clientToken),
      });
    }
    out.push({
      topic: shadowTopic("update/documents", name),
      payload: withToken({
        previous: live ? snapshot(live) : null,
        current: snapshot(record),
        timestamp,
      }, clientToken),
    });
    return out;
  }
}

function snapshot(record: ShadowRecord): JsonObject {
  const value: ShadowSnapshot = {
    state: record.state,
    metadata: record.metadata,
    version: record.version,
  };
  return value as unknown as JsonObject;
}

function withToken(document: JsonObject, clientToken: string | undefined): JsonObject {
  if (clientToken !== undefined) document.clientToken = clientToken;
  return document;
}

function errorDocument(problem: RequestProblem, timestamp: number | undefined): JsonObject {
  const document: JsonObject = { code: problem.code, message: problem.message };
  if (timestamp !== undefined) document.timestamp = timestamp;
  if (problem.clientToken !== undefined) document.clientToken = problem.clientToken;
  return document;
}

/** GG's messages for names the topic matcher let through (spec §1.1). */
function serviceNameProblem(name: ShadowName): string | undefined {
  if (shadowNameProblem({ thingName: name.thingName }) !== undefined) {
    return "ThingName must match pattern [a-zA-Z0-9:_-]+";
  }
  if (shadowNameProblem(name) !== undefined) {
    return "ShadowName must match pattern [$a-zA-Z0-9:_-]+";
  }
  return undefined;
}

function positive(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) {
    throw new RangeError(`Cannot create shadow engine: ${option} must be positive, got ${value}`);
  }
  return value;
}
