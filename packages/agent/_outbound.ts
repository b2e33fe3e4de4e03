import { encodeInto, type Packet, type ProtocolVersion, type PublishPacket } from "@tern/codec";
import { ReasonCodeError } from "./errors.ts";
import type { Limiter } from "./limits.ts";
import type { NegotiatedSettings } from "./negotiated_settings.ts";
import type { PacketSink, Transmit } from "./session_types.ts";
import {
  type Command,
  type CommandPacket,
  type CommandQueue,
  type EventSink,
  pushFailure,
} from "./_command_queue.ts";
import type { Inflight } from "./_inflight.ts";
import { refuse } from "./_session_checks.ts";
import type { Timers } from "./_timers.ts";
import type { TopicAliases } from "./_topic_aliases.ts";

const EMPTY = new Uint8Array(0);
/** The encoder's options by protocol version, made once rather than per session. */
export const ENCODING = { 4: { version: 4 }, 5: { version: 5 } } as const;

/**
 * The size the session counts for `packet` sent without a sink: `packetSize`'s answer when
 * given, else the encoded size (the codec measures into an empty buffer and writes nothing).
 */
export function measure(
  packet: Packet,
  encoding: { version: ProtocolVersion },
  packetSize: ((packet: Packet) => number) | undefined,
): number {
  return packetSize ? packetSize(packet) : encodeInto(packet, encoding, EMPTY, 0);
}

/** The session's flows an outbound packet passes through, and where its outcomes go. */
export interface OutboundParts {
  version: ProtocolVersion;
  queue: CommandQueue;
  inflight: Inflight;
  aliases: TopicAliases;
  timers: Timers;
  /** Sizes packets sent without a sink; default: the encoded size. */
  packetSize?: (packet: Packet) => number;
  /** Where a QoS 0 publish's completion goes, the moment it leaves, and every failure. */
  events: EventSink;
}

/**
 * The way out for queued commands: each passes the gates of the connection in order, and
 * leaves with a packet id, its topic alias and its size, or fails alone, or waits with the
 * whole queue behind it (Receive Maximum, packet ids, rate limits).
 */
export class Outbound {
  #encoding: { version: ProtocolVersion };
  #queue: CommandQueue;
  #inflight: Inflight;
  #aliases: TopicAliases;
  #timers: Timers;
  #packetSize?: (packet: Packet) => number;
  #events: EventSink;
  #settings!: NegotiatedSettings;
  /** The rate limits of `options.limits`, fresh for each connection. */
  #rate?: Limiter;

  /** The way out through `parts`. */
  constructor(parts: OutboundParts) {
    this.#encoding = ENCODING[parts.version];
    this.#queue = parts.queue;
    this.#inflight = parts.inflight;
    this.#aliases = parts.aliases;
    this.#timers = parts.timers;
    this.#packetSize = parts.packetSize;
    this.#events = parts.events;
  }

  /** A connection was accepted with `settings`, and the broker's rate limits `rate`. */
  connected(settings: NegotiatedSettings, rate: Limiter | undefined): void {
    this.#settings = settings;
    this.#rate = rate;
    this.#timers.set("throttle", undefined);
  }

  /**
   * Takes the next command off the queue if the server's limits allow it to leave now. The
   * gates, in order: cancelled or expired in the queue, refused by the server's capabilities,
   * Receive Maximum and packet ids, topic alias, Maximum Packet Size, rate limits.
   */
  next(now: number, out: PacketSink | undefined): Transmit | undefined {
    const settings = this.#settings;
    for (let command = this.#queue.head(now); command; command = this.#queue.head(now)) {
      const packet = this.#queue.packetAt(command, now);
      const refusal = refuse(packet, settings);
      if (refusal) {
        this.#giveUp(command, undefined, refusal);
        continue;
      }
      if (!this.#inflight.canOpen(packet, settings.receiveMaximumToServer)) return undefined;
      const packetId = packet.type !== "publish" || packet.qos > 0
        ? this.#inflight.takeId()
        : undefined;
      const original = packetId === undefined ? packet : { ...packet, packetId };
      const alias = packet.type === "publish" ? this.#aliases.choose(packet.topic) : 0;
      const wire = alias === 0 ? original : this.#aliases.apply(original as PublishPacket, alias);
      const size = this.#sizeFor(command, wire, packetId, out);
      if (size === undefined) continue;
      if (this.#throttled(packet, size, now)) {
        if (packetId !== undefined) this.#inflight.releaseId(packetId);
        return undefined;
      }
      if (alias !== 0) this.#aliases.use((packet as PublishPacket).topic, alias);
      this.#queue.drop(command);
      out?.commit();
      if (packetId !== undefined) {
        this.#inflight.open(packetId, command.id, original, size, now);
      } else if (command.id !== 0) {
        // QoS 0 completes when handed to the transport.
        this.#events.push({ type: "completed", operation: command.id, result: { reasonCode: 0 } });
      }
      return { packet: wire, operation: command.id === 0 ? undefined : command.id };
    }
    return undefined;
  }

  /**
   * The size of `wire`, encoded into `out` when given; undefined when the command failed
   * because the encoder refused the packet or it is larger than the server accepts.
   */
  #sizeFor(
    command: Command,
    wire: CommandPacket,
    packetId: number | undefined,
    out: PacketSink | undefined,
  ): number | undefined {
    let size: number;
    try {
      size = out
        ? out.stage(wire, this.#encoding.version)
        : measure(wire, this.#encoding, this.#packetSize);
    } catch (error) {
      // The encoder refused the packet (a string or property it cannot encode).
      this.#giveUp(command, packetId, error as Error);
      return undefined;
    }
    const maximum = this.#settings.maximumPacketSizeToServer;
    if (size <= maximum) return size;
    this.#giveUp(
      command,
      packetId,
      new ReasonCodeError(
        `Cannot ${wire.type}: the packet is ${size} bytes, more than the server's maximum packet size of ${maximum}`,
        { reasonCode: 0x95 },
      ),
    );
    return undefined;
  }

  /** Whether the broker's rate limits hold back a PUBLISH of `size` bytes at `now`. */
  #throttled(packet: CommandPacket, size: number, now: number): boolean {
    if (!this.#rate || packet.type !== "publish") return false;
    const at = this.#rate.readyAt(now, size);
    if (at > now) {
      // Throttled by the broker's rate limits: the whole queue waits, in order.
      this.#timers.set("throttle", at);
      return true;
    }
    this.#rate.reserve(now, size);
    this.#timers.set("throttle", undefined);
    return false;
  }

  /** Fails `command`, the head of the queue, freeing the packet id it had taken. */
  #giveUp(command: Command, packetId: number | undefined, error: Error): void {
    if (packetId !== undefined) this.#inflight.releaseId(packetId);
    this.#queue.drop(command);
    pushFailure(this.#events, command.id, error);
  }
}
