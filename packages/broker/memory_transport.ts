/**
 * An in-process pair of connections: bytes written on one end are read on the other.
 *
 * @module
 */
import type { Connection } from "@tern/transport";

/**
 * Two connected in-memory {@linkcode Connection}s, as a socket pair would give. Each write
 * is copied (the writer may reuse its buffer); closing either end ends both readables.
 * Used by {@linkcode Broker.connect}; works wherever streams do (a browser tab, a Worker).
 *
 * @example Send bytes across
 * ```ts
 * import { memoryPair } from "@tern/broker";
 * import assert from "node:assert/strict";
 *
 * const [left, right] = memoryPair();
 * await left.write(new Uint8Array([1, 2, 3]));
 * const reader = right.readable.getReader();
 * assert.deepEqual([...(await reader.read()).value!], [1, 2, 3]);
 * await left.close();
 * assert.equal((await reader.read()).done, true);
 * ```
 */
export function memoryPair(): [Connection, Connection] {
  let closed = false;
  const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
  const close = (): Promise<void> => {
    if (!closed) {
      closed = true;
      for (const controller of controllers) {
        try {
          controller.close();
        } catch {
          // Already closed by a cancelled reader.
        }
      }
    }
    return Promise.resolve();
  };
  const end = (index: number): Connection => ({
    readable: new ReadableStream<Uint8Array>({
      start(controller) {
        controllers[index] = controller;
      },
      cancel: close,
    }),
    write(bytes) {
      if (closed) {
        return Promise.reject(new Error("Cannot write: the in-memory connection is closed"));
      }
      controllers[1 - index].enqueue(bytes.slice());
      return Promise.resolve();
    },
    close,
  });
  return [end(0), end(1)];
}
