import type { OutboundEntry, SessionStore } from "./session_store.ts";
import { checkClientId, checkOutboundEntry, checkPacketId } from "./_store_checks.ts";

interface MemorySession {
  /** Keyed by packet id; a `Map` keeps insertion order, and `set` on an existing key keeps its place. */
  outbound: Map<number, OutboundEntry>;
  inbound: Set<number>;
}

/**
 * The default {@linkcode SessionStore}: in-flight state kept in memory, lost with the process.
 *
 * `putOutbound` copies the entry and its payload bytes, so a caller reusing its buffer after
 * publishing cannot change what is resent; entries read back are fresh objects (their payload
 * is the store's copy, to be treated as read-only).
 *
 * @example Record a QoS 1 publish, then its acknowledgement
 * ```ts
 * import { MemoryStore } from "@tern/agent";
 *
 * const store = new MemoryStore();
 * const packet = {
 *   type: "publish" as const,
 *   topic: "t",
 *   payload: new Uint8Array([1]),
 *   qos: 1 as const,
 *   retain: false,
 *   dup: false,
 *   packetId: 1,
 * };
 * store.putOutbound("device-1", { packetId: 1, state: "awaitingAck", packet });
 * console.log(store.outbound("device-1").length); // 1
 * store.deleteOutbound("device-1", 1);
 * console.log(store.outbound("device-1").length); // 0
 * store.close();
 * ```
 */
export class MemoryStore implements SessionStore {
  #sessions = new Map<string, MemorySession>();
  #closed = false;

  /** Outbound entries not yet completed, in original send order. */
  outbound(clientId: string): OutboundEntry[] {
    const session = this.#session("read outbound entries", clientId, false);
    return session ? [...session.outbound.values()].map(copyEntry) : [];
  }

  /** Adds an outbound entry, or replaces the one with the same packet id in its place. */
  putOutbound(clientId: string, entry: OutboundEntry): void {
    checkOutboundEntry("store outbound entry", entry);
    this.#session("store outbound entry", clientId, true)!.outbound.set(
      entry.packetId,
      { ...copyEntry(entry), packet: { ...entry.packet, payload: entry.packet.payload.slice() } },
    );
  }

  /** Removes an outbound entry once PUBACK or PUBCOMP arrived. */
  deleteOutbound(clientId: string, packetId: number): void {
    checkPacketId("delete outbound entry", packetId);
    this.#session("delete outbound entry", clientId, false)?.outbound.delete(packetId);
  }

  /** Packet ids of inbound QoS 2 publishes delivered but not yet released by PUBREL. */
  inboundReceived(clientId: string): number[] {
    const session = this.#session("read inbound packet ids", clientId, false);
    return session ? [...session.inbound] : [];
  }

  /** Records that an inbound QoS 2 publish was delivered to the application. */
  putInboundReceived(clientId: string, packetId: number): void {
    checkPacketId("store inbound packet id", packetId);
    this.#session("store inbound packet id", clientId, true)!.inbound.add(packetId);
  }

  /** Forgets an inbound QoS 2 packet id once PUBREL arrived. */
  deleteInboundReceived(clientId: string, packetId: number): void {
    checkPacketId("delete inbound packet id", packetId);
    this.#session("delete inbound packet id", clientId, false)?.inbound.delete(packetId);
  }

  /** Forgets everything about a session (clean start, or the broker lost it). */
  clear(clientId: string): void {
    this.#session("clear session", clientId, false);
    this.#sessions.delete(clientId);
  }

  /** Drops all state; later calls throw. Safe to call more than once. */
  close(): void {
    this.#closed = true;
    this.#sessions.clear();
  }

  #session(action: string, clientId: string, create: boolean): MemorySession | undefined {
    if (this.#closed) throw new Error(`Cannot ${action}: the session store is closed`);
    checkClientId(action, clientId);
    let session = this.#sessions.get(clientId);
    if (!session && create) {
      session = { outbound: new Map(), inbound: new Set() };
      this.#sessions.set(clientId, session);
    }
    return session;
  }
}

function copyEntry(entry: OutboundEntry): OutboundEntry {
  return { packetId: entry.packetId, state: entry.state, packet: { ...entry.packet } };
}
