import type { PublishPacket, SubscribePacket, UnsubscribePacket } from "@tern/codec";
import {
  keepsOnDisconnect,
  MessageExpiredError,
  OfflineError,
  type OfflineQueuePolicy,
  QueueFullError,
} from "./offline_queue.ts";
import type { SessionEvent } from "./session_types.ts";
import { Fifo } from "./_fifo.ts";

/** A packet a caller's operation sends. */
export type CommandPacket = PublishPacket | SubscribePacket | UnsubscribePacket;

/** A caller's operation waiting in the queue for the connection, a packet id or quota. */
export interface Command {
  /** Operation id; 0 for session state no caller waits for (restored, resubscribed). */
  id: number;
  packet: CommandPacket;
  /** Approximate bytes (payload and topic strings), for statistics and `maxBytes`. */
  size: number;
  cancelled: boolean;
  /** When a publish with a Message Expiry Interval was queued: its interval counts down. */
  queuedAt?: number;
}

/** The limits of a {@linkcode CommandQueue}. */
export interface CommandQueueLimits {
  /** What is kept while offline and across a disconnect. */
  offlineQueuePolicy: OfflineQueuePolicy;
  /** At most this many operations. */
  maxQueuedOperations: number;
  /** At most this many bytes of operations. */
  maxQueuedBytes: number;
}

/**
 * The bounded queue of operations not yet sent, in call order: those issued while
 * disconnected and those waiting their turn while connected. Pure: it hands out commands and
 * reports each failure exactly once, as a "failed" event in `events`.
 *
 * Every operation that enters leaves through `drop()` (the session sent it or gave up on
 * it), `cancel()`, `abandon()`, or fails: at once when the queue is full or the policy does
 * not keep it while offline, later on `failUnkept()` or when it expired waiting. Nothing
 * grows past the limits except commands put back with `requeueFront()`, which were counted
 * when they first came in. Commands with id 0 are session state, not operations: they are
 * not counted, and survive `abandon()`.
 */
export class CommandQueue {
  #limits: CommandQueueLimits;
  #events: EventSink;
  #commands = new Fifo<Command>();
  /** The operations counted, by id: the queue less cancelled ones and session state. */
  #queued = new Map<number, Command>();
  #bytes = 0;
  #nextOp = 1;

  /** An empty queue within `limits`; failures go to `events`. */
  constructor(limits: CommandQueueLimits, events: EventSink) {
    this.#limits = limits;
    this.#events = events;
  }

  /** A fresh operation id for a command that does not wait in the queue (a ping). */
  newId(): number {
    return this.#nextOp++;
  }

  /** Operations waiting. */
  get count(): number {
    return this.#queued.size;
  }

  /** Their bytes, approximate. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Queues `packet` and returns its new operation id. Throws an {@linkcode OfflineError}
   * when not `online` and the policy does not keep it, a {@linkcode QueueFullError} when it
   * does not fit. `queuedAt` starts a publish's Message Expiry Interval counting down.
   */
  enqueue(packet: CommandPacket, size: number, online: boolean, queuedAt?: number): number {
    const {
      offlineQueuePolicy: policy,
      maxQueuedOperations: maxOperations,
      maxQueuedBytes: maxBytes,
    } = this.#limits;
    if (!online && !keeps(policy, packet)) {
      throw new OfflineError(
        `Cannot ${
          actionOf(packet)
        }: the client is disconnected and the offline queue policy ${policy} does not keep it`,
        { policy },
      );
    }
    if (this.#queued.size + 1 > maxOperations) {
      throw new QueueFullError(
        `Cannot ${
          actionOf(packet)
        }: the offline queue is full (${this.#queued.size} operations, limit ${maxOperations})`,
        { limit: "operations" },
      );
    }
    if (this.#bytes + size > maxBytes) {
      throw new QueueFullError(
        `Cannot ${
          actionOf(packet)
        }: the offline queue is full (${this.#bytes} bytes queued, ${size} more would pass the limit of ${maxBytes})`,
        { limit: "bytes" },
      );
    }
    const command: Command = { id: this.#nextOp++, packet, size, cancelled: false, queuedAt };
    this.#commands.push(command);
    this.#queued.set(command.id, command);
    this.#bytes += size;
    return command.id;
  }

  /**
   * The command at the front, past cancelled ones and publishes whose Message Expiry
   * Interval ran out while they waited (those fail with a {@linkcode MessageExpiredError}).
   */
  head(now: number): Command | undefined {
    for (let command = this.#commands.peek(); command; command = this.#commands.peek()) {
      if (command.cancelled) {
        this.#commands.shift();
        continue;
      }
      if (command.queuedAt === undefined) return command;
      const packet = command.packet as PublishPacket;
      const interval = packet.properties!.messageExpiryInterval!;
      const waited = waitedSeconds(command, now);
      if (waited < interval || waited <= 0) return command;
      this.drop(command);
      pushFailure(
        this.#events,
        command.id,
        new MessageExpiredError(
          `Cannot publish to "${packet.topic}": the message expired after waiting ${waited} s in the queue (messageExpiryInterval ${interval})`,
          { messageExpiryInterval: interval, waitedSeconds: waited },
        ),
      );
    }
    return undefined;
  }

  /**
   * The packet `command` (from `head()`) sends at `now`: a publish carries its Message
   * Expiry Interval less the whole seconds it waited in the queue [MQTT-3.3.2-6].
   */
  packetAt(command: Command, now: number): CommandPacket {
    const packet = command.packet;
    if (command.queuedAt === undefined) return packet;
    const waited = waitedSeconds(command, now);
    if (waited <= 0) return packet;
    const publish = packet as PublishPacket;
    return {
      ...publish,
      properties: {
        ...publish.properties,
        messageExpiryInterval: publish.properties!.messageExpiryInterval! - waited,
      },
    };
  }

  /** Removes `command`, the one at the front: it was sent or failed. */
  drop(command: Command): void {
    this.#commands.shift();
    if (this.#queued.delete(command.id)) this.#bytes -= command.size;
  }

  /** Removes operation `operation` if it waits here; returns whether it did. */
  cancel(operation: number): boolean {
    const command = this.#queued.get(operation);
    if (!command) return false;
    command.cancelled = true;
    this.#queued.delete(operation);
    this.#bytes -= command.size;
    return true;
  }

  /** Drops every operation, keeping session state (id 0); none of them fails. */
  abandon(): void {
    for (const command of this.#commands.drain()) {
      // A command restored from a store (id 0) is session state, not an operation: keep it.
      if (command.id === 0) this.#commands.push(command);
    }
    this.#queued.clear();
    this.#bytes = 0;
  }

  /** Drops the SUBSCRIBE commands that restore the session's subscriptions. */
  forgetRestores(): void {
    for (const command of this.#commands.drain()) {
      const isRestore = command.id === 0 && command.packet.type === "subscribe";
      if (!isRestore) this.#commands.push(command);
    }
  }

  /** The connection was lost: fails queued operations the offline queue policy does not keep. */
  failUnkept(): void {
    const policy = this.#limits.offlineQueuePolicy;
    for (const command of this.#queued.values()) {
      const { packet } = command;
      if (keeps(policy, packet)) continue;
      command.cancelled = true;
      this.#queued.delete(command.id);
      this.#bytes -= command.size;
      pushFailure(
        this.#events,
        command.id,
        new OfflineError(
          `Cannot ${
            actionOf(packet)
          }: the connection was lost and the offline queue policy ${policy} does not keep it`,
          { policy },
        ),
      );
    }
  }

  /**
   * Puts `commands` at the front, in the order given: operations that were in flight when
   * the server lost the session, and subscriptions to restore. They skip the limits, which
   * they passed when first queued.
   */
  requeueFront(commands: Command[]): void {
    for (const command of commands) {
      // A command no caller waits for (id 0) is not counted, as it is never uncounted.
      if (command.id === 0) continue;
      this.#queued.set(command.id, command);
      this.#bytes += command.size;
    }
    this.#commands.unshiftAll(commands);
  }
}

/** Where the session's events go: completions and failures the flows report themselves. */
export interface EventSink {
  push(event: SessionEvent): void;
}

/** Reports that operation `operation` failed, unless it is session state (id 0). */
export function pushFailure(events: EventSink, operation: number, error: Error): void {
  if (operation !== 0) events.push({ type: "failed", operation, error });
}

/** Whether the offline queue policy keeps this packet across a disconnect. */
function keeps(policy: OfflineQueuePolicy, packet: CommandPacket): boolean {
  return keepsOnDisconnect(policy, {
    kind: packet.type,
    qos: packet.type === "publish" ? packet.qos : undefined,
  });
}

function waitedSeconds(command: Command, now: number): number {
  return Math.floor((now - command.queuedAt!) / 1000);
}

/** What an operation does, for error messages (built only when one is thrown). */
function actionOf(packet: CommandPacket): string {
  return packet.type === "publish" ? `publish at QoS ${packet.qos}` : packet.type;
}
