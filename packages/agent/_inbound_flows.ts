import type { SessionStore } from "./session_store.ts";

/** What an inbound QoS 2 PUBLISH is, by its packet identifier. */
export type InboundVerdict =
  /** A new message: deliver it, then `record()` it and answer PUBREC. */
  | "new"
  /** Delivered already; the server did not see our PUBREC [MQTT-4.3.3-9]: answer it again. */
  | "duplicate"
  /** One more flow than the client's Receive Maximum allows [MQTT-3.3.4-9]: why. */
  | { violation: string; reasonCode: number };

/**
 * Inbound QoS 2 flows: the packet identifiers of messages delivered and not yet released by
 * PUBREL, so that a resent PUBLISH is delivered exactly once. Kept in `store` too, when
 * there is one, under the session's client identifier `clientId`.
 */
export class InboundFlows {
  /** The key of this session's state in the store (the server may assign it on CONNACK). */
  clientId: string;
  #store?: SessionStore;
  #maximum: number;
  // Created on first use: an idle connection holds no empty set it may never need.
  #received?: Set<number>;

  /** Flows within the client's Receive Maximum `maximum`, restored from `store`. */
  constructor(maximum: number, store: SessionStore | undefined, clientId: string) {
    this.#maximum = maximum;
    this.#store = store;
    this.clientId = clientId;
    for (const packetId of store?.inboundReceived(clientId) ?? []) {
      (this.#received ??= new Set()).add(packetId);
    }
  }

  /** Judges a QoS 2 PUBLISH with `packetId`; records nothing. */
  receive(packetId: number): InboundVerdict {
    const received = this.#received;
    if (received?.has(packetId)) return "duplicate";
    if ((received?.size ?? 0) < this.#maximum) return "new";
    return {
      violation: `The server exceeded the client's Receive Maximum of ${this.#maximum}`,
      reasonCode: 0x93,
    };
  }

  /** Records a delivered QoS 2 message until its PUBREL. */
  record(packetId: number): void {
    (this.#received ??= new Set()).add(packetId);
    this.#store?.putInboundReceived(this.clientId, packetId);
  }

  /** PUBREL arrived: ends the flow. Returns whether it was known. */
  release(packetId: number): boolean {
    const known = this.#received?.delete(packetId) ?? false;
    if (known) this.#store?.deleteInboundReceived(this.clientId, packetId);
    return known;
  }

  /** The server lost the session: no flow survives there. */
  clear(): void {
    this.#received?.clear();
  }
}
