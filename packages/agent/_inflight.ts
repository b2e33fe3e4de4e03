import type {
  PublishAckPacket,
  PublishPacket,
  SubackPacket,
  UnsubackPacket,
  UnsubscribePacket,
} from "@tern/codec";
import { reasonCodeName } from "@tern/codec";
import { ReasonCodeError, TimeoutError } from "./errors.ts";
import type { SessionStore } from "./session_store.ts";
import type { OperationResult, PublishResult, Transmit } from "./session_types.ts";
import type { Command, CommandPacket } from "./_command_queue.ts";
import { Fifo } from "./_fifo.ts";
import { PacketIds } from "./_packet_ids.ts";

/** A packet sent and not yet fully acknowledged, by packet id. */
export interface Flight {
  /** Operation id; 0 once no caller waits any more (timed out, abandoned, restored). */
  op: number;
  /** As first sent: full topic, DUP clear, packet id set. */
  packet: CommandPacket;
  size: number;
  state: "awaitingAck" | "released";
  /** The PUBREC of a QoS 2 publish, whose reason code the completion reports. */
  pubrec?: PublishAckPacket;
}

/** An acknowledgement the server sends for a flight: PUBACK, PUBREC, PUBCOMP, SUBACK or UNSUBACK. */
export type Ack = PublishAckPacket | SubackPacket | UnsubackPacket;

/** What an acknowledgement does; see {@linkcode Inflight.acknowledge}. */
export type AckOutcome =
  /** It fits no flight: a protocol error (0x82). */
  | { violation: string }
  /** The flow of `flight` ended, and its operation completes with `result`. */
  | { flight: Flight; result: OperationResult }
  /** The flow of `flight` ended, and its operation fails with `error`. */
  | { flight: Flight; error: Error }
  /** PUBREC accepted a QoS 2 publish: PUBREL follows (again, for a repeated PUBREC). */
  | { pubrel: number };

const ACK_NAME = {
  publish1: "PUBACK",
  publish2: "PUBCOMP",
  subscribe: "SUBACK",
  unsubscribe: "UNSUBACK",
};

/**
 * Outbound flows awaiting acknowledgement (QoS 1 / 2 PUBLISH, SUBSCRIBE, UNSUBSCRIBE), by
 * packet identifier, with the counters that must move with them: identifiers taken, QoS 1 /
 * 2 publishes against the server's Receive Maximum, bytes unacknowledged, acknowledgement
 * deadlines. Publishes are kept in `store` too, when there is one.
 */
export class Inflight {
  /** The key of this session's state in the store (the server may assign it on CONNACK). */
  clientId: string;
  #store?: SessionStore;
  #ackTimeoutMs: number;
  #flights = new Map<number, Flight>();
  #ids = new PacketIds();
  #publishes = 0;
  #bytes = 0;
  #deadlines = new Fifo<{ deadline: number; packetId: number; op: number }>();

  /**
   * Flows restored from `store` under `clientId` (resent after connecting, no caller waits
   * for them), sized by `measure`; each operation fails without its acknowledgement within
   * `ackTimeoutMs` (0: waits forever).
   */
  constructor(
    options: { store?: SessionStore; clientId: string; ackTimeoutMs: number },
    measure: (packet: PublishPacket) => number,
  ) {
    const { store, clientId } = options;
    this.#store = store;
    this.clientId = clientId;
    this.#ackTimeoutMs = options.ackTimeoutMs;
    for (const entry of store?.outbound(clientId) ?? []) {
      this.#ids.claim(entry.packetId);
      this.#publishes++;
      const size = measure(entry.packet);
      this.#bytes += size;
      this.#flights.set(entry.packetId, { op: 0, packet: entry.packet, size, state: entry.state });
    }
  }

  /** Operations in flight (flows a caller waits for). */
  get count(): number {
    let count = 0;
    for (const flight of this.#flights.values()) if (flight.op !== 0) count++;
    return count;
  }

  /** Bytes in flight, as measured when sent. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Whether `packet` may leave now: it needs a packet identifier and none is free, or it is
   * a QoS 1 / 2 publish and `receiveMaximum` of them are unacknowledged [MQTT-4.9.0-2].
   */
  canOpen(packet: CommandPacket, receiveMaximum: number): boolean {
    if (packet.type === "publish") {
      if (packet.qos === 0) return true;
      if (this.#publishes >= receiveMaximum) return false;
    }
    return !this.#ids.full;
  }

  /** A packet identifier for a packet `canOpen()` let through. */
  takeId(): number {
    return this.#ids.take()!;
  }

  /** Gives back an identifier from `takeId()` whose packet did not leave. */
  releaseId(packetId: number): void {
    this.#ids.release(packetId);
  }

  /** `packet` (its identifier from `takeId()`) left at `now` for operation `op`. */
  open(packetId: number, op: number, packet: CommandPacket, size: number, now: number): void {
    this.#flights.set(packetId, { op, packet, size, state: "awaitingAck" });
    this.#bytes += size;
    if (packet.type === "publish") {
      this.#publishes++;
      this.#store?.putOutbound(this.clientId, { packetId, state: "awaitingAck", packet });
    }
    if (this.#ackTimeoutMs > 0 && op !== 0) {
      this.#deadlines.push({ deadline: now + this.#ackTimeoutMs, packetId, op });
    }
  }

  /**
   * The flight `ack` acknowledges, or why none does (a protocol error): a PUBACK needs a QoS 1
   * publish, a PUBREC a QoS 2 one, a PUBCOMP a released one, a SUBACK / UNSUBACK its request
   * with one reason code per topic filter (none in an MQTT 3.1.1 UNSUBACK).
   */
  #expect(ack: Ack, v4: boolean): Flight | string {
    const flight = this.#flights.get(ack.packetId);
    const packet = flight?.packet;
    if (ack.type === "suback" || ack.type === "unsuback") {
      const wanted = ack.type === "suback" ? "subscribe" : "unsubscribe";
      const name = ack.type.toUpperCase();
      if (packet?.type !== wanted) {
        return `Unexpected ${name}: no ${wanted.toUpperCase()} in flight with packet id ${ack.packetId}`;
      }
      const count = filterCount(flight!);
      if (!(ack.type === "unsuback" && v4) && ack.reasonCodes.length !== count) {
        return `${name} has ${ack.reasonCodes.length} reason codes for ${count} topic filters`;
      }
      return flight!;
    }
    if (ack.type === "puback") {
      if (packet?.type === "publish" && packet.qos === 1) return flight!;
      return `Unexpected PUBACK: no QoS 1 publish in flight with packet id ${ack.packetId}`;
    }
    if (ack.type === "pubrec") {
      if (packet?.type === "publish" && packet.qos === 2) return flight!;
      return `Unexpected PUBREC: no QoS 2 publish in flight with packet id ${ack.packetId}`;
    }
    if (packet?.type === "publish" && flight!.state === "released") return flight!;
    return `Unexpected PUBCOMP: no released QoS 2 publish with packet id ${ack.packetId}`;
  }

  /**
   * What `ack` does to its flight: ends it (a completion or a failure), releases a QoS 2
   * publish (PUBREL follows), or is a protocol violation when it fits no flight.
   */
  acknowledge(ack: Ack, v4: boolean): AckOutcome {
    const flight = this.#expect(ack, v4);
    if (typeof flight === "string") return { violation: flight };
    const packetId = ack.packetId;
    if (ack.type === "suback" || ack.type === "unsuback") {
      this.finish(packetId, flight);
      const reasonCodes = ack.type === "unsuback" && v4
        ? new Array(filterCount(flight)).fill(0)
        : ack.reasonCodes;
      return { flight, result: { reasonCodes, properties: ack.properties } };
    }
    const success = (ack.reasonCode ?? 0) < 0x80;
    if (ack.type === "pubrec" && success) {
      this.#release(packetId, flight, ack);
      return { pubrel: packetId };
    }
    // A PUBACK, a PUBCOMP, or a failed PUBREC, which ends the flow: no PUBREL [MQTT-4.3.3-4].
    this.finish(packetId, flight);
    if (ack.type === "pubcomp" && success) return { flight, result: pubrecResult(flight.pubrec) };
    const outcome = publishOutcome(flight, ack);
    return outcome instanceof Error ? { flight, error: outcome } : { flight, result: outcome };
  }

  /** PUBREC accepted QoS 2 publish `flight`: only PUBCOMP remains [MQTT-4.3.3-2]. */
  #release(packetId: number, flight: Flight, pubrec: PublishAckPacket): void {
    if (flight.state !== "awaitingAck") return;
    flight.state = "released";
    flight.pubrec = pubrec;
    this.#store?.putOutbound(this.clientId, {
      packetId,
      state: "released",
      packet: flight.packet as PublishPacket,
    });
  }

  /** Ends `flight`: its identifier is free again. */
  finish(packetId: number, flight: Flight): void {
    this.#flights.delete(packetId);
    this.#ids.release(packetId);
    this.#bytes -= flight.size;
    if (flight.packet.type === "publish") {
      this.#publishes--;
      this.#store?.deleteOutbound(this.clientId, packetId);
    }
  }

  /**
   * The server resumed the session: every flow goes again, in its original order
   * [MQTT-4.4.0-1]: an unacknowledged PUBLISH with DUP set, a released one as PUBREL.
   */
  resend(out: { push(transmit: Transmit): void }): void {
    for (const [packetId, flight] of this.#flights) {
      const operation = flight.op === 0 ? undefined : flight.op;
      if (flight.packet.type === "publish" && flight.state === "released") {
        out.push({ packet: { type: "pubrel", packetId } });
      } else if (flight.packet.type === "publish") {
        out.push({ packet: { ...flight.packet, dup: true }, operation });
      } else {
        out.push({ packet: flight.packet, operation });
      }
    }
  }

  /**
   * The server has no session: nothing in flight survives there. Returns every flow as a new
   * command, in its original order, except released publishes: the server took those (only
   * PUBCOMP was missing), so they `complete` with their PUBREC's result.
   */
  requeueAsNew(complete: (op: number, result: PublishResult) => void): Command[] {
    const requeued: Command[] = [];
    for (const [packetId, flight] of this.#flights) {
      this.#ids.release(packetId);
      if (flight.packet.type === "publish" && flight.state === "released") {
        complete(flight.op, pubrecResult(flight.pubrec));
        continue;
      }
      requeued.push({
        id: flight.op,
        packet: flight.packet.type === "publish"
          ? { ...flight.packet, packetId: undefined }
          : flight.packet,
        size: flight.size,
        cancelled: false,
      });
    }
    this.#flights.clear();
    this.#publishes = 0;
    this.#bytes = 0;
    return requeued;
  }

  /** Stops waiting for operation `op`; returns whether it was in flight. Its flow runs on. */
  cancel(op: number): boolean {
    // At most Receive Maximum publishes plus (un)subscribes; cancelling is rare.
    for (const flight of this.#flights.values()) {
      if (flight.op === op) {
        this.#silence(flight);
        return true;
      }
    }
    return false;
  }

  /** Stops waiting for every operation; their flows run on. */
  abandon(): void {
    for (const flight of this.#flights.values()) this.#silence(flight);
  }

  /** Fails, with `fail`, every operation whose acknowledgement is overdue at `now`. */
  expire(now: number, fail: (op: number, error: Error) => void): void {
    for (
      let head = this.#deadlines.peek();
      head && head.deadline <= now;
      head = this.#deadlines.peek()
    ) {
      this.#deadlines.shift();
      const flight = this.#flights.get(head.packetId);
      if (!flight || flight.op !== head.op || head.op === 0) continue;
      this.#silence(flight);
      fail(
        head.op,
        new TimeoutError(
          `Cannot complete ${flight.packet.type}: no ${
            ackName(flight)
          } within ${this.#ackTimeoutMs} ms`,
        ),
      );
    }
  }

  /** When `expire()` has something to do next, or undefined. */
  nextDeadline(): number | undefined {
    return this.#deadlines.peek()?.deadline;
  }

  /** No caller waits for `flight` any more: it no longer counts as an operation's bytes. */
  #silence(flight: Flight): void {
    if (flight.op === 0) return;
    flight.op = 0;
    this.#bytes -= flight.size;
    flight.size = 0;
  }
}

/** How many topic filters a SUBSCRIBE or UNSUBSCRIBE flight carries. */
export function filterCount(flight: Flight): number {
  return flight.packet.type === "subscribe"
    ? flight.packet.subscriptions.length
    : (flight.packet as UnsubscribePacket).topicFilters.length;
}

/** How a publish ends on `ack` (PUBACK, PUBREC or PUBCOMP): its result, or the failure. */
export function publishOutcome(flight: Flight, ack: PublishAckPacket): PublishResult | Error {
  const reasonCode = ack.reasonCode ?? 0;
  if (reasonCode < 0x80) return { reasonCode, properties: ack.properties };
  const topic = (flight.packet as PublishPacket).topic;
  const reasonString = ack.properties?.reasonString;
  return new ReasonCodeError(
    `Cannot publish to "${topic}": the server answered ${ack.type.toUpperCase()} with ${
      reasonCodeName(reasonCode)
    }${reasonString ? `: ${reasonString}` : ""}`,
    { reasonCode, reasonString, userProperties: ack.properties?.userProperties },
  );
}

/** A QoS 2 publish's result: its PUBREC's reason code and properties. */
export function pubrecResult(pubrec: PublishAckPacket | undefined): PublishResult {
  return { reasonCode: pubrec?.reasonCode ?? 0, properties: pubrec?.properties };
}

function ackName(flight: Flight): string {
  const packet = flight.packet;
  if (packet.type !== "publish") return ACK_NAME[packet.type];
  if (packet.qos === 1) return ACK_NAME.publish1;
  return flight.state === "released" ? ACK_NAME.publish2 : "PUBREC";
}
