import { Decoder, type Packet } from "@tern/codec";
import type { Connection } from "@tern/transport";
import { ClientStoppedError, ConnectionClosedError } from "./errors.ts";
import type { Authenticator } from "./client_options.ts";
import type { Session } from "./session.ts";
import type { Clock } from "./clock.ts";
import type { Pending } from "./_pending.ts";
import { MIN_READ, nextReadSize } from "./_read_size.ts";
import { withResolvers } from "./_with_resolvers.ts";
import { WriteBatch } from "./_write_batch.ts";

/** Bytes gathered into one write at most (more waits for the next write). */
const BATCH_BYTES = 64 * 1024;
/** A write buffer that grew larger than this (one large packet) is not kept for the next. */
const BATCH_KEEP = 2 * BATCH_BYTES;
/**
 * Microtask turns an idle writer waits before it writes. A caller woken by an acknowledgement
 * publishes again a couple of turns later (its promise's reaction, then the await that
 * resumes it): waiting three turns lets that publish leave in the same write as the
 * acknowledgements that woke it, instead of in a write of its own (half the writes on one
 * connection publishing QoS 1 to its own subscription).
 */
const YIELD_HOPS = 3;

/**
 * What a {@linkcode Link} needs of the client that runs it, made once per client: its
 * options are resolved there, once.
 */
export interface LinkHost {
  /** The client's session, which outlives every connection. */
  readonly session: Session;
  /** The callers waiting, by operation id. */
  readonly pending: ReadonlyMap<number, Pending>;
  /** Gives the initial data for CONNECT (MQTT 5 enhanced authentication). */
  readonly authenticator?: Pick<Authenticator, "initialData">;
  /** The largest packet the decoder accepts. */
  readonly maximumPacketSize: number;
  /** The decoder's WebAssembly module, precompiled (see `MqttClientOptions.wasmModule`). */
  readonly wasmModule?: WebAssembly.Module;
  /** How long a closing connection's pending write may take before the connection drops. */
  readonly closeTimeoutMs: number;
  /** The client's clock: every time read and timer of the link. */
  readonly clock: Clock;
  /** Whether the client still runs: stop() may come while the authenticator is asked. */
  running(): boolean;
  /** Reports the session's events (completions, deliveries, connection events). */
  processEvents(): void;
  /** CONNECT was written (what `start({ wait: "sent" })` waits for). */
  connectWritten(): void;
}

/**
 * One network connection of the client, from CONNECT to close: it reads and decodes
 * into the session, writes what the session polls (coalesced, at most one write pending),
 * keeps one timer for the session's next deadline, and closes. A new one is made for each
 * connection, so nothing of the last connection needs resetting.
 */
export class Link {
  /** Whether CONNACK accepted this connection. */
  accepted = false;
  #host: LinkHost;
  /** Until the connection is over. */
  #connection?: Connection;
  #decoder: Decoder;
  #writing = false;
  /** Something was queued while the writer was busy: it polls again before going idle. */
  #dirty = false;
  #closing = false;
  #closeError?: Error;
  #ended = withResolvers<Error>();
  /** Drops a closing connection whose pending write does not finish in time. */
  #closeTimer?: unknown;
  #timer?: unknown;
  #timerDeadline?: number;
  #cancelRead?: () => void;
  #batch = new WriteBatch();
  /** The batch being written holds CONNECT. */
  #connectInBatch = false;

  /** A link over `connection`, opened; `serve()` runs it. */
  constructor(host: LinkHost, connection: Connection) {
    this.#host = host;
    this.#connection = connection;
    this.#decoder = new Decoder({
      version: host.session.protocolVersion,
      maxPacketSize: host.maximumPacketSize,
      wasmModule: host.wasmModule,
    });
  }

  /** Runs the connection from CONNECT to close; resolves with why it ended. */
  async serve(): Promise<Error> {
    const connection = this.#connection!;
    const session = this.#host.session;
    try {
      const authenticationData = await this.#host.authenticator?.initialData?.();
      if (!this.#host.running()) {
        this.#ended.resolve(new ClientStoppedError("The client was stopped"));
      } else {
        session.handleConnectionOpened(this.#host.clock.now(), { authenticationData });
        this.pump();
      }
    } catch (error) {
      this.#ended.resolve(error as Error);
    }
    const reading = this.#read(connection);
    const error = await this.#ended.promise;
    this.#host.clock.clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#disarm();
    this.#cancelRead?.();
    await connection.close().catch(() => {});
    await reading;
    // The last read view is no longer written to: give its memory back to the shared codec.
    this.#decoder.reset();
    // Whatever the session still thinks, this connection is over.
    session.handleConnectionLost(this.#host.clock.now());
    this.#host.processEvents();
    this.#connection = undefined;
    return error;
  }

  /** After any input: report events, start writing, re-arm the timer, finish a close. */
  pump(): void {
    this.#host.processEvents();
    if (this.#writing) this.#dirty = true;
    else if (this.#connection) void this.#flush(this.#connection);
    this.#arm();
    this.#finishClose();
  }

  /** A command was queued: the writer polls for it (enqueuing reports nothing by itself). */
  wake(): void {
    if (this.#writing) this.#dirty = true;
    else this.pump();
  }

  /**
   * Starts closing once the session ended the connection: what it polled is still written,
   * then the connection closes with `error`.
   */
  beginClose(error: Error): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#closeError = error;
    if (this.#writing) {
      // A write that cannot finish (a peer that stopped reading, a half-open link) must not
      // hold the close, and with it every reconnect, forever: closing the connection fails it.
      const connection = this.#connection;
      this.#closeTimer = this.#host.clock.setTimeout(
        () => void connection?.close().catch(() => {}),
        this.#host.closeTimeoutMs,
      );
    }
  }

  async #read(connection: Connection): Promise<void> {
    let cause: unknown;
    try {
      if (connection.read) {
        // Straight into the decoder's memory: no read buffer per connection, no copy.
        const decoder = this.#decoder;
        this.#cancelRead = undefined;
        let size = MIN_READ;
        while (!this.#closing) {
          const n = await connection.read(decoder.readView(size));
          if (n === null) break;
          size = nextReadSize(size, n);
          this.#decode(() => decoder.commit(n));
        }
      } else {
        const reader = connection.readable.getReader();
        this.#cancelRead = () => void reader.cancel().catch(() => {});
        try {
          while (!this.#closing) {
            const { value, done } = await reader.read();
            if (done) break;
            this.#decode(() => this.#decoder.push(value));
          }
        } finally {
          reader.releaseLock();
        }
      }
    } catch (error) {
      cause = error;
    }
    if (!this.#closing) {
      this.#host.session.handleConnectionLost(this.#host.clock.now(), cause);
      this.pump();
    }
  }

  /** Hands the packets `decode` returns to the session. */
  #decode(decode: () => Packet[]): void {
    const session = this.#host.session;
    const at = this.#host.clock.now();
    let packets: Packet[];
    try {
      packets = decode();
    } catch (error) {
      session.handleProtocolError(error as Error, at);
      this.pump();
      return;
    }
    for (const packet of packets) session.handlePacket(packet, at);
    this.pump();
  }

  /**
   * Keeps one timer for the session's next deadline. Deadlines mostly move later (every
   * packet sent pushes keep-alive back), so the timer is only replaced when one moves
   * earlier; firing early costs one handleTimeout() that finds nothing due.
   */
  #arm(): void {
    const session = this.#host.session;
    const deadline = this.#connection && !this.#closing ? session.pollTimeout() : undefined;
    if (deadline === undefined) {
      this.#disarm();
      return;
    }
    if (this.#timer !== undefined && this.#timerDeadline! <= deadline) return;
    this.#disarm();
    this.#timerDeadline = deadline;
    this.#timer = this.#host.clock.setTimeout(() => {
      this.#timer = undefined;
      session.handleTimeout(this.#host.clock.now());
      this.pump();
    }, Math.max(0, Math.ceil(deadline - this.#host.clock.now())));
  }

  #disarm(): void {
    this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #finishClose(): void {
    if (this.#closing && !this.#writing) this.#ended.resolve(this.#closeError!);
  }

  async #flush(connection: Connection): Promise<void> {
    const host = this.#host;
    this.#writing = true;
    let yielded = false;
    try {
      while (true) {
        const at = this.#host.clock.now();
        const output = this.#batch;
        // The previous write finished (or failed): its buffer is free again.
        output.clear(BATCH_KEEP);
        const batch: Pending[] = [];
        this.#gather(at, output, batch);
        if (!yielded && output.length > 0 && output.length < BATCH_BYTES) {
          // The writer was idle: let the callers of this task queue theirs first (a burst of
          // publishes, or every caller one read of acknowledgements woke), so that they leave
          // in this write rather than the first alone and the rest in the next.
          yielded = true;
          for (let hop = 0; hop < YIELD_HOPS; hop++) await undefined;
          this.#gather(this.#host.clock.now(), output, batch);
        }
        // Polling can fail operations (too large, not supported): report those at once. A
        // listener may queue more meanwhile; pump() then marks the writer dirty.
        host.processEvents();
        if (output.length === 0) {
          if (!this.#dirty) break;
          this.#dirty = false;
          continue;
        }
        try {
          await connection.write(output.bytes());
        } catch (error) {
          for (const pending of batch) {
            if (!pending.resendable) {
              pending.reject(
                new ConnectionClosedError(
                  "Cannot publish: the connection closed before the message was written",
                  {
                    cause: error,
                  },
                ),
              );
            }
          }
          host.session.handleConnectionLost(this.#host.clock.now(), error);
          host.processEvents();
          break;
        }
        if (this.#connectInBatch) {
          this.#connectInBatch = false;
          host.connectWritten();
        }
        for (const pending of batch) {
          pending.written = true;
          if (pending.result !== undefined || pending.wait === "sent") {
            pending.resolve(pending.result);
          }
        }
        host.processEvents();
      }
    } catch (error) {
      // Preparing bytes failed (a session store that throws, say): end this connection and
      // report why, rather than leave an unhandled rejection behind.
      host.session.handleConnectionLost(this.#host.clock.now(), error);
      host.processEvents();
    } finally {
      this.#batch.clear(BATCH_KEEP);
      this.#writing = false;
    }
    this.#arm();
    this.#finishClose();
  }

  /** Polls the session for packets to write until the batch is full or nothing is due. */
  #gather(at: number, output: WriteBatch, batch: Pending[]): void {
    const host = this.#host;
    while (output.length < BATCH_BYTES) {
      // The session encodes each packet into the batch as it measures it.
      const transmit = host.session.pollTransmit(at, output);
      if (!transmit) return;
      if (transmit.packet.type === "connect") this.#connectInBatch = true;
      const pending = transmit.operation === undefined
        ? undefined
        : host.pending.get(transmit.operation);
      if (pending) batch.push(pending);
    }
  }
}
