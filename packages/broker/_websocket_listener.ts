import type { Connection } from "@tern/transport";
import type { Listener, WebSocketListenOptions } from "./listener.ts";
import type { Peer } from "./listener.ts";

/** MQTT over WebSocket [MQTT-6.0.0-3]: binary frames, subprotocol `mqtt`, via `Deno.serve`. */
export async function listenWebSocket(
  options: WebSocketListenOptions,
  accept: (connection: Connection, peer: Peer) => void,
): Promise<Listener> {
  const sockets = new Set<WebSocket>();
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const tls = options.cert !== undefined && options.key !== undefined;
  const handler = (request: Request, info: Deno.ServeHandlerInfo): Response => {
    if (options.path !== undefined && new URL(request.url).pathname !== options.path) {
      return new Response("Not found", { status: 404 });
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("MQTT over WebSocket only", { status: 426 });
    }
    const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(",")
      .map((protocol) => protocol.trim());
    const protocol = offered.find((name) => name === "mqtt" || name === "mqttv3.1");
    const remote = info.remoteAddr as Deno.NetAddr;
    const { socket, response } = Deno.upgradeWebSocket(request, protocol ? { protocol } : {});
    socket.binaryType = "arraybuffer";
    sockets.add(socket);
    socket.onopen = () =>
      accept(socketConnection(socket), { remoteAddress: `${remote.hostname}:${remote.port}` });
    socket.addEventListener("close", () => sockets.delete(socket));
    return response;
  };
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    ...(tls ? { cert: options.cert!, key: options.key! } : {}),
    onListen: (address) => listening.resolve(address as Deno.NetAddr),
  }, handler);
  const address = await listening.promise;
  return {
    hostname: address.hostname,
    port: address.port,
    url: `${tls ? "wss" : "ws"}://${address.hostname}:${address.port}${options.path ?? "/"}`,
    async close() {
      for (const socket of sockets) socket.close();
      await server.shutdown();
    },
  };
}

function socketConnection(socket: WebSocket): Connection {
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.onmessage = (event) => {
        if (event.data instanceof ArrayBuffer) controller.enqueue(new Uint8Array(event.data));
        else socket.close(1003, "MQTT needs binary frames"); // [MQTT-6.0.0-1]
      };
      socket.addEventListener("close", () => {
        try {
          controller.close();
        } catch {
          // Already cancelled.
        }
      });
    },
    cancel() {
      socket.close();
    },
  });
  return {
    readable,
    write(bytes) {
      if (socket.readyState !== WebSocket.OPEN) {
        return Promise.reject(new Error("Cannot write: the WebSocket is closed"));
      }
      socket.send(bytes);
      return Promise.resolve();
    },
    close() {
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
        socket.close();
      }
      return Promise.resolve();
    },
  };
}
