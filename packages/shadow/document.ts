/**
 * The JSON shapes of shadow documents, as the service publishes them (spec §1.4).
 *
 * @module
 */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  /** Any member. */
  [key: string]: JsonValue;
}

/** Per-field metadata: each leaf of the state becomes `{ timestamp }`, arrays per element. */
export type ShadowMetadataNode = { timestamp: number } | ShadowMetadataNode[] | {
  [key: string]: ShadowMetadataNode;
};

/** The desired and reported sections of a shadow; absent sections are omitted. */
export interface ShadowState {
  /** The state the application wants the device to reach. */
  desired?: JsonObject;
  /** The state the device reports. */
  reported?: JsonObject;
}

/** A state as `get` returns it: with the delta when desired and reported differ. */
export interface ShadowStateWithDelta extends ShadowState {
  /** The desired fields that differ from the reported ones. */
  delta?: JsonObject;
}

/** Metadata of the desired and reported sections. */
export interface ShadowMetadata {
  /** Metadata of `state.desired`. */
  desired?: { [key: string]: ShadowMetadataNode };
  /** Metadata of `state.reported`. */
  reported?: { [key: string]: ShadowMetadataNode };
}

/** The payload of `/get/accepted`. */
export interface ShadowGetAccepted {
  /** The stored state, with `delta` when non-empty. */
  state: ShadowStateWithDelta;
  /** Per-field timestamps of the stored state. */
  metadata: ShadowMetadata;
  /** The stored version. */
  version: number;
  /** When the response was generated, in epoch seconds. */
  timestamp: number;
  /** The request's client token, when it carried one. */
  clientToken?: string;
}

/** The payload of `/update/accepted`: the request's state echoed, with its metadata. */
export interface ShadowUpdateAccepted {
  /** The request's `state`, as sent (`null` deletions included). */
  state: JsonValue;
  /** `{ timestamp }` for every leaf of the request's state. */
  metadata: JsonValue;
  /** The version after the update. */
  version: number;
  /** When the response was generated, in epoch seconds. */
  timestamp: number;
  /** The request's client token, when it carried one. */
  clientToken?: string;
}

/** The payload of `/delete/accepted`. */
export interface ShadowDeleteAccepted {
  /** The version of the shadow that was deleted. */
  version: number;
  /** When the response was generated, in epoch seconds. */
  timestamp: number;
  /** The request's client token, when it carried one. */
  clientToken?: string;
}

/** The payload of `/update/delta`. */
export interface ShadowDeltaEvent {
  /** The version after the update that left the difference. */
  version: number;
  /** When the message was generated, in epoch seconds. */
  timestamp: number;
  /** The delta itself: desired fields that differ from reported, without a wrapper. */
  state: JsonObject;
  /** The desired-side timestamps of exactly the delta's fields. */
  metadata: { [key: string]: ShadowMetadataNode };
  /** The client token of the update that caused the delta. */
  clientToken?: string;
}

/** A snapshot inside `/update/documents`. */
export interface ShadowSnapshot {
  /** Desired and reported, no delta. */
  state: ShadowState;
  /** Their metadata. */
  metadata: ShadowMetadata;
  /** The version of this snapshot. */
  version: number;
}

/** The payload of `/update/documents`, published after every accepted update. */
export interface ShadowDocumentsEvent {
  /** The shadow before the update, or `null` when the update created it. */
  previous: ShadowSnapshot | null;
  /** The shadow after the update. */
  current: ShadowSnapshot;
  /** When the message was generated, in epoch seconds. */
  timestamp: number;
  /** The client token of the update. */
  clientToken?: string;
}

/** The payload of every `/rejected` topic (spec §1.4 "error"). */
export interface ShadowErrorDocument {
  /** The HTTP status code: 400, 401, 403, 404, 409, 413, 415, 429 or 500. */
  code: number;
  /** The service's message, e.g. `Version conflict`. */
  message: string;
  /** When the response was generated, in epoch seconds; not always present. */
  timestamp?: number;
  /** The request's client token, when it carried one. */
  clientToken?: string;
}
