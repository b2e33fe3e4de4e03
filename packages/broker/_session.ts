import { encode, type ProtocolVersion, type PublishPacket, type QoS } from "@tern/codec";
import type { BrokerLimits } from "./limits.ts";
import {
  type Delivery,
  deliverySize,
  expired,
  type Message,
  outgoingProperties,
  own,
} from "./_message.ts";
import { Fifo } from "./_fifo.ts";

/** What a session needs of the connection it is attached to. */
export interface Outlet {
  readonly version: ProtocolVersion;
  /** The client's Maximum Packet Size. */
  readonly maximumPacketSize: number;
  /** The client's Receive Maximum. */
  readonly receiveMaximum: number;
  /** Bytes written but not yet taken by the socket. */
  readonly backlog: number;
  write(bytes: Uint8Array): void;
  /**
   * Encodes and writes a PUBLISH (with a topic alias where the client allows them); returns
   * false, writing nothing, when it is larger than the client's Maximum Packet Size.
   */
  writePublish(packet: PublishPacket): boolean;
}

/** One subscription of a session, with its MQTT 5 options. */
export interface Sub {
  session: Session;
  /** The filter as subscribed, `$share/{name}/` included. */
  filter: string;
  shareName?: string;
  /** The filter matched against topics (without the share prefix). */
  topicFilter: string;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  identifier?: number;
}

interface Inflight {
  delivery: Delivery;
  /** PUBREC received, PUBREL sent: waiting for PUBCOMP. */
  released: boolean;
}

/**
 * The state the broker keeps for one client id: subscriptions, messages in flight and
 * queued, QoS 2 packet ids received and not yet released. It outlives its connections
 * while its Session Expiry Interval runs.
 */
export class Session {
  readonly clientId: string;
  outlet?: Outlet;
  readonly subscriptions: Map<string, Sub> = new Map();
  readonly inflight: Map<number, Inflight> = new Map();
  readonly queue: Fifo<Delivery> = new Fifo();
  queuedBytes = 0;
  /** Incoming QoS 2 packet ids that got PUBREC and wait for PUBREL. */
  readonly unreleased: Set<number> = new Set();
  /** Seconds the session outlives a connection (0xFFFFFFFF: forever). */
  expiryInterval = 0;
  /** While disconnected: when the session ends (undefined: never). */
  expiresAt?: number;
  /** While disconnected: the will waiting for its delay. */
  will?: { message: Message; at: number };
  /** Deliveries dropped: queue full, expired, or too large for the client. */
  dropped = 0;
  #limits: BrokerLimits;
  #nextId = 1;

  constructor(clientId: string, limits: BrokerLimits) {
    this.clientId = clientId;
    this.#limits = limits;
  }

  get #window(): number {
    return Math.min(this.outlet!.receiveMaximum, this.#limits.maxInflight);
  }

  /** Sends the delivery now, or queues it (QoS 1/2) while offline or the window is full. */
  deliver(delivery: Delivery, now: number): void {
    const outlet = this.outlet;
    if (delivery.qos === 0) {
      // A client that stops reading loses QoS 0 messages rather than growing our memory.
      if (outlet && outlet.backlog <= this.#limits.maxQueuedBytes) this.#send(delivery, now);
      else this.dropped++;
      return;
    }
    if (outlet && this.queue.length === 0 && this.inflight.size < this.#window) {
      this.#send(delivery, now);
      return;
    }
    const size = deliverySize(delivery);
    if (
      this.queue.length >= this.#limits.maxQueuedMessages ||
      this.queuedBytes + size > this.#limits.maxQueuedBytes
    ) {
      this.dropped++;
      return;
    }
    own(delivery.message);
    this.queue.push(delivery);
    this.queuedBytes += size;
  }

  /** Sends queued deliveries while the client's window has room. */
  drain(now: number): void {
    while (this.outlet && this.queue.length > 0 && this.inflight.size < this.#window) {
      const delivery = this.queue.shift()!;
      this.queuedBytes -= deliverySize(delivery);
      this.#send(delivery, now);
    }
  }

  /**
   * Resends what was in flight when the last connection ended, in order, DUP set
   * [MQTT-4.4.0-1], then what was queued.
   */
  resume(now: number): void {
    for (const [packetId, entry] of this.inflight) {
      if (entry.released) {
        this.outlet!.write(encode({ type: "pubrel", packetId }, { version: this.outlet!.version }));
      } else {
        if (!this.#write(this.#packet(entry.delivery, packetId, true, now))) {
          this.inflight.delete(packetId);
        }
      }
    }
    this.drain(now);
  }

  /**
   * Handles PUBACK, PUBREC or PUBCOMP; returns whether the packet id was in flight (a PUBREC
   * that was then owes a PUBREL).
   */
  acknowledge(
    type: "puback" | "pubrec" | "pubcomp",
    packetId: number,
    reasonCode: number,
    now: number,
  ): boolean {
    const entry = this.inflight.get(packetId);
    if (!entry) return false;
    if (type === "pubrec" && reasonCode < 0x80) {
      entry.released = true;
      return true;
    }
    this.inflight.delete(packetId);
    this.drain(now);
    return true;
  }

  #send(delivery: Delivery, now: number): void {
    if (expired(delivery.message, now)) {
      this.dropped++;
      return;
    }
    const packetId = delivery.qos === 0 ? undefined : this.#allocate();
    const bytes = this.#write(this.#packet(delivery, packetId, false, now));
    // [MQTT-3.1.2-25] a message too large for the client is dropped as if it had been sent.
    if (bytes && packetId !== undefined) {
      own(delivery.message);
      this.inflight.set(packetId, { delivery, released: false });
    }
  }

  #packet(
    delivery: Delivery,
    packetId: number | undefined,
    dup: boolean,
    now: number,
  ): PublishPacket {
    return {
      type: "publish",
      topic: delivery.message.topic,
      payload: delivery.message.payload,
      qos: delivery.qos,
      retain: delivery.retain,
      dup,
      packetId,
      properties: outgoingProperties(delivery, now),
    };
  }

  #write(packet: PublishPacket): boolean {
    if (this.outlet!.writePublish(packet)) return true;
    this.dropped++;
    return false;
  }

  #allocate(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === 65535 ? 1 : id + 1;
      if (!this.inflight.has(id)) return id;
    }
  }
}
