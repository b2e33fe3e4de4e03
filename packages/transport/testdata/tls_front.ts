/**
 * A TLS terminator on a free loopback port in front of another local TCP server (here
 * tinyproxy), as a proxy reached over `https://` is deployed: it ends TLS and relays the
 * bytes as they are. Closing it closes every relayed connection.
 */
import { freePort } from "../../../tests/support/free_port.ts";

/** A running terminator. */
export interface TlsFront extends AsyncDisposable {
  readonly port: number;
  /** How many TLS connections completed their handshake. */
  readonly handshakes: number;
}

/** Listens for TLS with `cert`/`key` and relays each connection to `127.0.0.1:target`. */
export function startTlsFront(options: { cert: string; key: string; target: number }): TlsFront {
  const port = freePort();
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port,
    cert: options.cert,
    key: options.key,
  });
  const open = new Set<Deno.Conn>();
  const relays: Promise<void>[] = [];
  let handshakes = 0;
  const relay = async (client: Deno.TlsConn) => {
    open.add(client);
    let upstream: Deno.Conn | undefined;
    try {
      await client.handshake();
      handshakes++;
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: options.target });
      open.add(upstream);
      await Promise.allSettled([
        client.readable.pipeTo(upstream.writable),
        upstream.readable.pipeTo(client.writable),
      ]);
    } catch {
      // A client that failed its handshake (a test of an untrusted certificate) or left.
    } finally {
      for (const conn of [client, upstream]) {
        if (conn && open.delete(conn)) {
          try {
            conn.close();
          } catch {
            // pipeTo closed it already.
          }
        }
      }
    }
  };
  const accepting = (async () => {
    for await (const client of listener) relays.push(relay(client));
  })().catch(() => {});
  return {
    port,
    get handshakes() {
      return handshakes;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // Closed meanwhile.
        }
      }
      open.clear();
      await Promise.allSettled(relays);
    },
  };
}
