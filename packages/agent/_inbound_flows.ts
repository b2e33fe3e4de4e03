import type { PublishAckPacket } from "@tern/codec";
import type { SessionStore } from "./session_store.ts";
import type { InboundDelivery } from "./session_types.ts";
import { Fifo } from "./_fifo.ts";

class Delivery implements InboundDelivery {
  readonly packetId: number;
  readonly qos: 1 | 2;
  taken: boolean;

  constructor(packetId: number, qos: 1 | 2, taken = false) {
    this.packetId = packetId;
    this.qos = qos;
    this.taken = taken;
  }
}

/** What an inbound QoS 1 / 2 PUBLISH is, by its packet identifier. */
export type InboundVerdict =
  /** A new message: deliver it; its acknowledgement follows once it is taken. */
  | InboundDelivery
  /**
   * Handed over before (resent after a reconnect [MQTT-4.4.0-1], or a QoS 2 PUBLISH whose
   * PUBREC the server did not see [MQTT-4.3.3-9]): not delivered again, and acknowledged
   * in its turn once the first copy is taken.
   */
  | "again"
  /** One more flow than the client's Receive Maximum allows [MQTT-3.3.4-9]: why. */
  | { violation: string; reasonCode: number };

/**
 * Inbound QoS 1 / 2 flows. Acknowledgements leave in the order the PUBLISHes arrived (4.6
 * Message ordering), each once its message is taken, so a slow consumer holds the server
 * back (3.3.4 Flow Control) instead of losing what was acknowledged. Messages handed over
 * and not yet acknowledged are remembered across connections by packet identifier, so the
 * server's resend after a reconnect is not delivered twice. QoS 2 packet identifiers stay
 * until PUBREL (exactly once), also in `store` when there is one, under `clientId`.
 */
export class InboundFlows {
  /** The key of this session's state in the store (the server may assign it on CONNACK). */
  clientId: string;
  #store?: SessionStore;
  #maximum: number;
  // Created on first use: an idle connection holds no empty set it may never need.
  /** QoS 2 messages handed over and not yet released by PUBREL. */
  #received?: Set<number>;
  /** Handed over, not yet acknowledged; by `key()`. Kept across connections. */
  #held?: Map<number, Delivery>;
  /** This connection's arrivals whose acknowledgement has not left, in arrival order. */
  #order = new Fifo<Delivery>();
  /** QoS 1 arrivals in `#order`: with `#received`, the flows the server has open. */
  #open = 0;

  /** Flows within the client's Receive Maximum `maximum`, restored from `store`. */
  constructor(maximum: number, store: SessionStore | undefined, clientId: string) {
    this.#maximum = maximum;
    this.#store = store;
    this.clientId = clientId;
    for (const packetId of store?.inboundReceived(clientId) ?? []) {
      (this.#received ??= new Set()).add(packetId);
    }
  }

  /** Messages handed over and not yet acknowledged (each holds a Receive Maximum slot). */
  get heldCount(): number {
    return this.#held?.size ?? 0;
  }

  /** Judges a QoS 1 / 2 PUBLISH with `packetId` and queues its acknowledgement's turn. */
  arrive(packetId: number, qos: 1 | 2): InboundVerdict {
    const held = this.#held?.get(key(packetId, qos));
    if (held) {
      this.#queue(held);
      return "again";
    }
    if (qos === 2 && this.#received?.has(packetId)) {
      this.#queue(new Delivery(packetId, 2, true));
      return "again";
    }
    if (this.#open + (this.#received?.size ?? 0) >= this.#maximum) {
      return {
        violation: `The server exceeded the client's Receive Maximum of ${this.#maximum}`,
        reasonCode: 0x93,
      };
    }
    const delivery = new Delivery(packetId, qos);
    (this.#held ??= new Map()).set(key(packetId, qos), delivery);
    if (qos === 2) {
      (this.#received ??= new Set()).add(packetId);
      this.#store?.putInboundReceived(this.clientId, packetId);
    }
    this.#queue(delivery);
    return delivery;
  }

  #queue(delivery: Delivery): void {
    this.#order.push(delivery);
    if (delivery.qos === 1) this.#open++;
  }

  /** `delivery` was taken: `send` gets the acknowledgements now due, in arrival order. */
  take(delivery: InboundDelivery, send: (packet: PublishAckPacket) => void): void {
    (delivery as Delivery).taken = true;
    this.flush(send);
  }

  /** Sends the acknowledgements at the front of the arrival order whose message was taken. */
  flush(send: (packet: PublishAckPacket) => void): void {
    for (let next = this.#order.peek(); next?.taken; next = this.#order.peek()) {
      this.#order.shift();
      const { packetId, qos } = next;
      const k = key(packetId, qos);
      if (this.#held?.get(k) === next) this.#held.delete(k);
      if (qos === 1) {
        this.#open--;
        send({ type: "puback", packetId });
      } else {
        send({ type: "pubrec", packetId });
      }
    }
  }

  /**
   * The connection ended: acknowledgements not sent are not sent on the next one. The
   * server resends those messages; `arrive()` recognises them.
   */
  connectionLost(): void {
    if (this.#order.length > 0) this.#order.drain();
    this.#open = 0;
  }

  /** PUBREL arrived: ends the QoS 2 flow. Returns whether it was known. */
  release(packetId: number): boolean {
    const known = this.#received?.delete(packetId) ?? false;
    if (known) this.#store?.deleteInboundReceived(this.clientId, packetId);
    return known;
  }

  /** The server lost the session: no flow survives there, and nothing will be resent. */
  clear(): void {
    this.#received?.clear();
    this.#held?.clear();
  }
}

function key(packetId: number, qos: 1 | 2): number {
  return qos === 1 ? packetId : packetId + 0x10000;
}
