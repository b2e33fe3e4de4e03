/**
 * A scripted MQTT server on loopback for exact protocol sequences (malformed packets,
 * withheld or misnumbered acknowledgements) that a real broker never produces.
 */
import { Decoder, encode } from "@tern/codec";
import type { Packet, ProtocolVersion } from "@tern/codec";
import type { Connection, Transport } from "@tern/transport";

/** One accepted client connection, seen from the server. */
export interface PeerConnection {
  /** The next packet the client sent; rejects if the client closed first. */
  next(): Promise<Packet>;
  /** Sends a packet, or raw bytes. */
  send(packet: Packet | Uint8Array): Promise<void>;
  /** Resolves with every packet received after the client closed its side. */
  closed(): Promise<Packet[]>;
}

/** A listening scripted peer. */
export interface ScriptedPeer extends AsyncDisposable {
  /** A transport that connects to the peer (plain TCP). */
  transport: Transport;
  /** The peer's address, `mqtt://127.0.0.1:<port>`. */
  url: string;
  /** The next accepted connection. */
  accept(): Promise<PeerConnection>;
}

/**
 * Starts `client` against `peer` and waits for the peer to accept its connection:
 * `started` is `client.start()` (still pending: the test answers CONNECT itself).
 */
export async function startAgainst<T>(
  peer: ScriptedPeer,
  client: { start(): Promise<T> },
): Promise<{ started: Promise<T>; server: PeerConnection }> {
  const accepted = peer.accept();
  const started = client.start();
  return { started, server: await accepted };
}

/** Starts a peer speaking `version`. */
export function startScriptedPeer(version: ProtocolVersion): ScriptedPeer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const conns: Deno.Conn[] = [];
  const readers: Promise<void>[] = [];
  const transport: Transport = {
    async open(): Promise<Connection> {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      let closed = false;
      return {
        readable: conn.readable,
        write: async (bytes) => {
          await conn.write(bytes);
        },
        close: () => {
          if (!closed) {
            closed = true;
            try {
              conn.close();
            } catch {
              // Already closed by the stream ending.
            }
          }
          return Promise.resolve();
        },
      };
    },
  };
  return {
    transport,
    url: `mqtt://127.0.0.1:${port}`,
    async accept(): Promise<PeerConnection> {
      const conn = await listener.accept();
      conns.push(conn);
      const decoder = new Decoder({ version });
      const queue: Packet[] = [];
      const waiters: { resolve(p: Packet): void; reject(e: Error): void }[] = [];
      let ended = false;
      const done = Promise.withResolvers<void>();
      readers.push((async () => {
        const buffer = new Uint8Array(65536);
        try {
          while (true) {
            const n = await conn.read(buffer);
            if (n === null) break;
            for (const packet of decoder.push(buffer.subarray(0, n))) {
              const waiter = waiters.shift();
              if (waiter) waiter.resolve(packet);
              else queue.push(packet);
            }
          }
        } catch {
          // The peer itself closed the socket.
        }
        ended = true;
        for (const waiter of waiters.splice(0)) waiter.reject(new Error("client closed"));
        done.resolve();
      })());
      return {
        next() {
          const packet = queue.shift();
          if (packet) return Promise.resolve(packet);
          if (ended) return Promise.reject(new Error("client closed"));
          return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
        },
        async send(packet) {
          await conn.write(packet instanceof Uint8Array ? packet : encode(packet, { version }));
        },
        async closed() {
          await done.promise;
          return queue.splice(0);
        },
      };
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Closed already.
        }
      }
      await Promise.all(readers);
    },
  };
}

/** The next packet `server` receives, which must be of `type`. */
export async function expectPacket<T extends Packet["type"]>(
  server: PeerConnection,
  type: T,
): Promise<Packet & { type: T }> {
  const packet = await server.next();
  if (packet.type !== type) {
    throw new Error(`Expected the client to send ${type}, got ${packet.type}`);
  }
  return packet as Packet & { type: T };
}

/** Starts `client` against `peer`, accepts its CONNECT with a CONNACK, and waits for start(). */
export async function connectTo(
  peer: ScriptedPeer,
  client: { start(): Promise<unknown> },
): Promise<PeerConnection> {
  const { started, server } = await startAgainst(peer, client);
  await expectPacket(server, "connect");
  await server.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  await started;
  return server;
}
