/**
 * A scripted stand-in for a broker on a loopback TCP port, for exact sequences a real broker
 * will not produce: it records every packet the client sends and answers only what the test
 * tells it to, so a test can hold an acknowledgement back and release it later.
 */
import { Decoder, encode, type Packet, type ProtocolVersion } from "@tern/codec";

/** Options of {@linkcode startScriptedPeer}. */
export interface ScriptedPeerOptions {
  /** The protocol the client speaks. Default 5. */
  version?: ProtocolVersion;
  /** Answer every CONNECT with a successful CONNACK at once. Default true. */
  accept?: boolean;
}

/** A running scripted peer; disposing it closes the listener and every connection. */
export interface ScriptedPeer extends AsyncDisposable {
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** Every packet received, over every connection, in order. */
  readonly received: Packet[];
  /** Resolves with the next packet of `type` not yet taken by an earlier call. */
  next<T extends Packet["type"]>(type: T): Promise<Packet & { type: T }>;
  /** Writes `packet` on the newest connection. */
  send(packet: Packet): Promise<void>;
  /** Closes the newest connection (the client sees it lost). */
  drop(): void;
}

/** Starts a {@linkcode ScriptedPeer} on a free loopback port. */
export function startScriptedPeer(options: ScriptedPeerOptions = {}): ScriptedPeer {
  const version = options.version ?? 5;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received: Packet[] = [];
  const taken = new Set<number>();
  const waiters: { type: string; resolve: (packet: Packet) => void }[] = [];
  const connections: Deno.Conn[] = [];
  const serving: Promise<void>[] = [];

  const offer = (packet: Packet) => {
    received.push(packet);
    const index = received.length - 1;
    const waiter = waiters.findIndex((w) => w.type === packet.type);
    if (waiter < 0) return;
    taken.add(index);
    waiters.splice(waiter, 1)[0].resolve(packet);
  };

  const serve = async (conn: Deno.Conn) => {
    const decoder = new Decoder({ version });
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        for (const packet of decoder.push(buffer.slice(0, n))) {
          offer(packet);
          if (packet.type === "connect" && options.accept !== false) {
            await conn.write(
              encode({ type: "connack", sessionPresent: false, reasonCode: 0 }, { version }),
            );
          }
        }
      }
    } catch {
      // Closed by drop() or disposal, or reset by the client.
    } finally {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  };

  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        connections.push(conn);
        serving.push(serve(conn));
      }
    } catch {
      // The listener closed.
    }
  })();

  const newest = () => {
    const conn = connections.at(-1);
    if (!conn) throw new Error("Cannot script the peer: no client has connected");
    return conn;
  };

  return {
    url: `mqtt://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    received,
    next<T extends Packet["type"]>(type: T) {
      const index = received.findIndex((p, i) => p.type === type && !taken.has(i));
      if (index >= 0) {
        taken.add(index);
        return Promise.resolve(received[index] as Packet & { type: T });
      }
      return new Promise((resolve) =>
        waiters.push({ type, resolve: resolve as (packet: Packet) => void })
      );
    },
    async send(packet) {
      await newest().write(encode(packet, { version }));
    },
    drop() {
      try {
        newest().close();
      } catch {
        // Already closed.
      }
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of connections) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      await Promise.all(serving);
    },
  };
}
