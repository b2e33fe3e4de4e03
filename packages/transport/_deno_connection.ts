import { transportError } from "./_classify.ts";
import { TransportError } from "./errors.ts";
import type { Connection } from "./types.ts";

/** Size of the chunks `readable` reads; one read rarely returns more from a socket. */
const CHUNK_SIZE = 16 * 1024;

/**
 * Adapts a `Deno.Conn` (TCP or TLS) to {@linkcode Connection}, with the zero-copy
 * `read(into)` fast path and errors that say what failed.
 */
export function denoConnection<T extends object = Record<never, never>>(
  conn: Deno.Conn,
  peer: string,
  extra?: T,
): Connection & T {
  let closed = false;
  const read = async (into: Uint8Array): Promise<number | null> => {
    if (closed) return null;
    try {
      return await conn.read(into);
    } catch (error) {
      // Closing the connection interrupts a pending read; that is an end, not a failure.
      if (closed) return null;
      throw transportError(`read from ${peer}`, error);
    }
  };
  const close = (): Promise<void> => {
    if (!closed) {
      closed = true;
      try {
        conn.close();
      } catch {
        // The runtime already released the resource (peer reset); nothing left to free.
      }
    }
    return Promise.resolve();
  };
  let readable: ReadableStream<Uint8Array> | undefined;
  return {
    ...extra as T,
    // Created on first use, so a caller of read(into) never starts a competing reader.
    get readable() {
      readable ??= new ReadableStream<Uint8Array>({
        async pull(controller) {
          const buffer = new Uint8Array(CHUNK_SIZE);
          const n = await read(buffer);
          if (n === null) controller.close();
          // A short read is copied out, so a few bytes do not pin a whole chunk in memory.
          else controller.enqueue(n < CHUNK_SIZE / 2 ? buffer.slice(0, n) : buffer.subarray(0, n));
        },
        cancel: close,
      });
      return readable;
    },
    read,
    async write(bytes) {
      if (closed) {
        throw new TransportError(`Cannot write to ${peer}: the connection is closed`, {
          code: "network",
        });
      }
      try {
        let written = 0;
        while (written < bytes.length) written += await conn.write(bytes.subarray(written));
      } catch (error) {
        throw transportError(`write to ${peer}`, error);
      }
    },
    close,
  };
}
