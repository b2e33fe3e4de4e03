import type { Socket } from "node:net";
import { transportError } from "./_classify.ts";
import { TransportError } from "./errors.ts";
import type { Connection } from "./types.ts";

/**
 * Adapts a connected `node:net` / `node:tls` socket to {@linkcode Connection}. The socket
 * is paused whenever the reader falls behind, so a fast server cannot grow memory.
 */
export function nodeConnection<T extends object>(
  socket: Socket,
  peer: string,
  extra: T,
): Connection & T {
  let ended = false;
  let failure: unknown;
  const closed = new Promise<void>((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once("close", () => resolve());
  });
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    try {
      if (error) {
        failure = transportError(`read from ${peer}`, error);
        controller.error(failure);
      } else {
        controller.close();
      }
    } catch {
      // A reader cancelled the stream; it is already closed.
    }
  };
  const close = async (): Promise<void> => {
    end();
    socket.destroy();
    await closed;
  };
  const readable = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    pull: () => {
      socket.resume();
    },
    cancel: close,
  });
  socket.pause();
  if (socket.destroyed) end(socket.errored ?? undefined);
  socket.on("data", (chunk: Uint8Array) => {
    if (ended) return;
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) socket.pause();
  });
  socket.on("end", () => end());
  socket.on("error", (error) => end(error));
  socket.on("close", () => end());
  return {
    ...extra,
    readable,
    write(bytes) {
      if (ended || socket.destroyed) {
        return Promise.reject(
          failure ??
            new TransportError(`Cannot write to ${peer}: the connection is closed`, {
              code: "network",
            }),
        );
      }
      return new Promise<void>((resolve, reject) => {
        socket.write(bytes, (error) => {
          if (error) reject(transportError(`write to ${peer}`, error));
          else resolve();
        });
      });
    },
    close,
  };
}

/**
 * Waits for `event` on a connecting socket and wraps it in the event handler itself, so
 * the connection's listeners are in place before the socket can emit anything else (a
 * TLS alert may follow the handshake in the same read). Rejects on `error` or `close`.
 */
export function settle<C>(
  socket: Socket,
  event: "connect" | "secureConnect",
  wrap: (socket: Socket) => C,
): Promise<C> {
  return new Promise<C>((resolve, reject) => {
    const onEvent = () => {
      cleanup();
      // A destroyed socket may still announce its handshake; its error comes next tick.
      if (socket.destroyed) {
        reject(socket.errored ?? new Error("The connection closed during setup"));
      } else resolve(wrap(socket));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error("The connection closed during setup"));
    };
    const cleanup = () => {
      socket.off(event, onEvent);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    socket.once(event, onEvent);
    socket.once("error", onError);
    socket.once("close", onClose);
  });
}

/** A `read(into)` over a paused socket's data events, for the proxy handshake. */
export function socketReader(socket: Socket): {
  read(into: Uint8Array): Promise<number | null>;
  release(): void;
} {
  const chunks: Uint8Array[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const onData = (chunk: Uint8Array) => {
    chunks.push(chunk);
    wake?.();
  };
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  const onError = (error: unknown) => {
    failure = error;
    wake?.();
  };
  socket.on("data", onData);
  socket.on("end", onEnd);
  socket.on("close", onEnd);
  socket.on("error", onError);
  return {
    async read(into) {
      while (chunks.length === 0 && !ended && failure === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (failure !== undefined) throw failure;
      const chunk = chunks.shift();
      if (!chunk) return null;
      const n = Math.min(into.length, chunk.length);
      into.set(chunk.subarray(0, n));
      if (n < chunk.length) chunks.unshift(chunk.subarray(n));
      return n;
    },
    release() {
      socket.pause();
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
    },
  };
}
