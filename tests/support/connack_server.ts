/**
 * A stand-in for a broker that only accepts: it records every CONNECT it gets and answers
 * each with a successful MQTT 5 CONNACK, over any byte stream or a WebSocket.
 */
import { type ConnectPacket, Decoder, encode } from "@tern/codec";

/** Records every CONNECT of one connection into `connects` and accepts it with a CONNACK. */
export function connackHook(
  connects: ConnectPacket[],
  write: (bytes: Uint8Array) => void,
): (chunk: Uint8Array) => void {
  const decoder = new Decoder({ version: 5 });
  return (chunk: Uint8Array) => {
    for (const packet of decoder.push(chunk)) {
      if (packet.type === "connect") {
        connects.push(packet);
        write(encode({ type: "connack", sessionPresent: false, reasonCode: 0 }, { version: 5 }));
      }
    }
  };
}

/** One WebSocket upgrade request, as the server received it. */
export interface WebSocketUpgrade {
  url: URL;
  /** The `Sec-WebSocket-Protocol` header the client sent. */
  protocol: string | null;
}

/** Options for {@linkcode startConnackWebSocketServer}. */
export interface ConnackWebSocketServerOptions {
  /** Called after each CONNACK, with the socket and its 1-based connection number. */
  afterConnack?: (socket: WebSocket, connection: number) => void;
}

/** A loopback WebSocket server that accepts MQTT over the `mqtt` subprotocol. */
export interface ConnackWebSocketServer extends AsyncDisposable {
  port: number;
  /** Every upgrade request, in order. */
  upgrades: WebSocketUpgrade[];
  /** Every CONNECT, in order. */
  connects: ConnectPacket[];
  /** Resolves once every connection accepted so far has closed. */
  closed(): Promise<void>;
}

/** Starts a {@linkcode ConnackWebSocketServer} on a free loopback port. */
export function startConnackWebSocketServer(
  options: ConnackWebSocketServerOptions = {},
): ConnackWebSocketServer {
  const upgrades: WebSocketUpgrade[] = [];
  const connects: ConnectPacket[] = [];
  const closed: Promise<void>[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      upgrades.push({
        url: new URL(request.url),
        protocol: request.headers.get("sec-websocket-protocol"),
      });
      const connection = upgrades.length;
      const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "mqtt" });
      socket.binaryType = "arraybuffer";
      const push = connackHook(connects, (bytes) => {
        socket.send(bytes);
        options.afterConnack?.(socket, connection);
      });
      const done = Promise.withResolvers<void>();
      closed.push(done.promise);
      socket.onmessage = (event) => push(new Uint8Array(event.data as ArrayBuffer));
      socket.onclose = () => done.resolve();
      socket.onerror = () => {};
      return response;
    },
  );
  return {
    port: server.addr.port,
    upgrades,
    connects,
    closed: async () => {
      await Promise.all(closed);
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
