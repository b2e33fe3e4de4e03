import type { Connection } from "@tern/transport";
import type { Listener, ListenOptions } from "./listener.ts";
import type { Peer } from "./listener.ts";

type Accept = (connection: Connection, peer: Peer) => void;

/** TCP with `Deno.listen` on Deno; TLS (client certificates need it) and other runtimes: node. */
export async function listenTcp(options: ListenOptions, accept: Accept): Promise<Listener> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 0;
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new TypeError("Cannot listen: TLS needs both cert and key");
  }
  if (typeof Deno !== "undefined" && typeof Deno.listen === "function" && !options.cert) {
    return listenDeno(hostname, port, accept);
  }
  const { listenNode } = await import("./_node_listener.ts");
  return listenNode({ ...options, hostname, port }, accept);
}

function listenDeno(hostname: string, port: number, accept: Accept): Listener {
  const listener = Deno.listen({ hostname, port });
  const address = listener.addr as Deno.NetAddr;
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        conn.setNoDelay(true);
        const remote = conn.remoteAddr as Deno.NetAddr;
        accept(denoConnection(conn), { remoteAddress: `${remote.hostname}:${remote.port}` });
      }
    } catch {
      // The listener was closed.
    }
  })();
  return {
    hostname: address.hostname,
    port: address.port,
    url: `mqtt://${address.hostname}:${address.port}`,
    async close() {
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      await loop;
    },
  };
}

function denoConnection(conn: Deno.Conn): Connection {
  let closed = false;
  return {
    // The broker reads with read(into); the stream is there for the interface's sake.
    get readable() {
      return conn.readable;
    },
    async read(into) {
      if (closed) return null;
      try {
        return await conn.read(into);
      } catch {
        return null; // closing interrupts a pending read: an end, not a failure
      }
    },
    async write(bytes) {
      let written = 0;
      while (written < bytes.length) written += await conn.write(bytes.subarray(written));
    },
    close() {
      if (!closed) {
        closed = true;
        try {
          conn.close();
        } catch {
          // Cancelling the readable already released the socket.
        }
      }
      return Promise.resolve();
    },
  };
}
