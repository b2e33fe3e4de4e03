import type { Connection } from "@tern/transport";
import type { Listener, ListenOptions } from "./listener.ts";
import type { Peer } from "./listener.ts";

type Socket = import("node:net").Socket;

/** TCP or TLS through `node:net` / `node:tls` (Node, Bun, and Deno for client certificates). */
export async function listenNode(
  options: ListenOptions & { hostname: string; port: number },
  accept: (connection: Connection, peer: Peer) => void,
): Promise<Listener> {
  const tls = options.cert !== undefined;
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    const peer: Peer = { remoteAddress: `${socket.remoteAddress}:${socket.remotePort}` };
    const certificate = tls
      ? (socket as import("node:tls").TLSSocket).getPeerCertificate?.()
      : undefined;
    if (certificate?.raw) peer.peerCertificate = new Uint8Array(certificate.raw);
    accept(nodeConnection(socket), peer);
  };
  let server: import("node:net").Server;
  if (tls) {
    const { createServer } = await import("node:tls");
    server = createServer({
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      requestCert: options.ca !== undefined,
      rejectUnauthorized: options.ca !== undefined && options.requireClientCertificate !== false,
    }, onSocket);
  } else {
    const { createServer } = await import("node:net");
    server = createServer(onSocket);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => resolve());
  });
  const address = server.address() as { address: string; port: number };
  return {
    hostname: address.address,
    port: address.port,
    url: `${tls ? "mqtts" : "mqtt"}://${address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function nodeConnection(socket: Socket): Connection {
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.on("data", (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        // Backpressure: stop reading while the broker has a chunk to handle.
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.once("close", () => {
        try {
          controller.close();
        } catch {
          // Already cancelled.
        }
      });
      socket.once("error", () => {});
    },
    pull() {
      socket.resume();
    },
    cancel() {
      socket.destroy();
    },
  });
  return {
    readable,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        if (socket.destroyed) return reject(new Error("Cannot write: the socket is closed"));
        socket.write(bytes, (error) => (error ? reject(error) : resolve()));
      }),
    close() {
      socket.end();
      socket.destroy();
      return Promise.resolve();
    },
  };
}
