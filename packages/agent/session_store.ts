import type { PublishPacket } from "@tern/codec";

/** Where an outbound QoS 1 / 2 publish stands in its acknowledgement flow. */
export type OutboundState =
  /** Sent (or about to be), no PUBACK / PUBREC yet: resend the PUBLISH with DUP set. */
  | "awaitingAck"
  /** QoS 2 PUBREC received and PUBREL sent: resend the PUBREL [MQTT-4.4.0-1]. */
  | "released";

/** One outbound QoS 1 / 2 publish that the broker has not completed. */
export interface OutboundEntry {
  /** Packet identifier of the publish. */
  packetId: number;
  /** Where the publish stands in its flow. */
  state: OutboundState;
  /** The packet as first sent (DUP is set on resend, not here). */
  packet: PublishPacket;
}

/**
 * Durable in-flight state of one MQTT session, keyed by client id.
 *
 * Calls are synchronous on purpose: the runner records a packet before it writes it, and a
 * synchronous store (memory, or `node:sqlite`'s `DatabaseSync`) cannot lose that ordering.
 * Entries come back from `outbound()` in the order they were first added, which is the order
 * they must be resent in [MQTT-4.4.0-1]; a state change keeps an entry's place.
 *
 * @example A store is anything with these methods
 * ```ts
 * import type { SessionStore } from "@tern/agent";
 *
 * function pending(store: SessionStore, clientId: string): number {
 *   return store.outbound(clientId).length;
 * }
 * console.log(typeof pending);
 * ```
 */
export interface SessionStore {
  /** Outbound entries not yet completed, in original send order. */
  outbound(clientId: string): OutboundEntry[];
  /** Adds an outbound entry, or replaces the one with the same packet id in its place. */
  putOutbound(clientId: string, entry: OutboundEntry): void;
  /** Removes an outbound entry once PUBACK or PUBCOMP arrived. */
  deleteOutbound(clientId: string, packetId: number): void;
  /** Packet ids of inbound QoS 2 publishes delivered but not yet released by PUBREL. */
  inboundReceived(clientId: string): number[];
  /** Records that an inbound QoS 2 publish was delivered to the application. */
  putInboundReceived(clientId: string, packetId: number): void;
  /** Forgets an inbound QoS 2 packet id once PUBREL arrived. */
  deleteInboundReceived(clientId: string, packetId: number): void;
  /** Forgets everything about a session (clean start, or the broker lost it). */
  clear(clientId: string): void;
  /** Releases resources (closes a database). */
  close(): void;
}
