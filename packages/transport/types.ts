/**
 * The narrow interface between the MQTT client and whatever carries its bytes.
 *
 * @module
 */

/** Options for {@linkcode Transport.open}. */
export interface OpenOptions {
  /** Aborts the connection attempt; `open()` then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * An open, ordered, reliable byte stream to an MQTT server.
 *
 * `write` resolves when the underlying socket has accepted the bytes; callers keep at most
 * one write pending at a time. `readable` ends when the peer closes the connection and errors
 * when it fails.
 */
export interface Connection {
  /** Bytes from the server, in order. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Sends bytes; the caller must not reuse `bytes` until the promise resolves. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes both directions; safe to call more than once. */
  close(): Promise<void>;
  /**
   * Optional zero-copy fast path: reads into `into` and resolves with the number of bytes
   * read, or `null` at end of stream. When present, callers use either this or `readable`,
   * never both.
   */
  read?(into: Uint8Array): Promise<number | null>;
}

/**
 * Something that can open a {@linkcode Connection}: TCP, TLS, WebSocket, a proxy tunnel.
 *
 * @example A transport is anything with an `open` method
 * ```ts
 * import type { Connection, Transport } from "@tern/transport";
 *
 * const refusing: Transport = {
 *   open(): Promise<Connection> {
 *     return Promise.reject(new Error("Cannot connect: this transport refuses everything"));
 *   },
 * };
 * console.log(typeof refusing.open); // "function"
 * ```
 */
export interface Transport {
  /** Opens a new connection; rejects with a transport error when it cannot. */
  open(options?: OpenOptions): Promise<Connection>;
}
