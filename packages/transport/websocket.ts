/**
 * MQTT over the web-standard `WebSocket` (Deno, browsers, Workers, Node 22+, Bun), or Tern's
 * own RFC 6455 client over `node:net` / `node:tls` where there is none (Node 20).
 *
 * @module
 */
import { openWithin } from "./_deadline.ts";
import { checkConnectTimeout } from "./_endpoint.ts";
import { socketWebSocket } from "./_sockets.ts";
import { TransportError } from "./errors.ts";
import type { Connection, OpenOptions, Transport } from "./types.ts";

/** A URL, or a function that makes one for each connection (e.g. a freshly signed URL). *
 * @example A URL made fresh for each connection
 * ```ts
 * import type { WebSocketUrl } from "@tern/transport/websocket";
 *
 * const url: WebSocketUrl = () => `wss://broker.example.com/mqtt?t=${Date.now()}`;
 * console.log(typeof url);
 * ```
 */
export type WebSocketUrl = string | URL | (() => string | URL | Promise<string | URL>);

/** Options for {@linkcode websocket}. *
 * @example Options with a custom subprotocol list
 * ```ts
 * import type { WebSocketOptions } from "@tern/transport/websocket";
 *
 * const options: WebSocketOptions = { url: "ws://127.0.0.1:8080/mqtt", protocols: ["mqtt"] };
 * console.log(options.protocols);
 * ```
 */
export interface WebSocketOptions {
  /** `ws://` or `wss://` URL of the server, path included (often `/mqtt`). */
  url: WebSocketUrl;
  /** Subprotocols to request; default `["mqtt"]`, as MQTT over WebSocket requires. */
  protocols?: string[];
  /** Milliseconds `open()` waits for the upgrade before a `timeout` error; default 30 000. */
  connectTimeoutMs?: number;
  /**
   * `write()` waits while more than this many bytes are queued in the socket, so a fast
   * writer cannot grow memory without bound; default 1 MiB.
   */
  highWaterMark?: number;
  /**
   * Received bytes waiting to be read beyond which the connection fails: a WebSocket cannot
   * slow the server down, so an unread backlog would otherwise grow without bound;
   * default 64 MiB.
   */
  maxQueuedBytes?: number;
}

const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const DRAIN_POLL_MS = 5;

/**
 * A transport over WebSocket (`ws://`, `wss://`), with the `mqtt` subprotocol and binary
 * frames. Frame boundaries carry no meaning: a packet may span frames and a frame may hold
 * several packets. Needs `--allow-net` in Deno. Where the runtime has no global `WebSocket`
 * (Node 20), `open()` speaks RFC 6455 itself over `node:net` / `node:tls`, with the same
 * options (`maxQueuedBytes` then bounds a frame, since unread bytes stay in the socket).
 *
 * The `url` may be a function, called on every `open()`, for URLs that expire (AWS SigV4).
 *
 * @example Connect to a broker's WebSocket listener
 * ```ts ignore
 * import { websocket } from "@tern/transport/websocket";
 *
 * const connection = await websocket({ url: "ws://127.0.0.1:8080/mqtt" }).open();
 * await connection.close();
 * ```
 */
export function websocket(options: WebSocketOptions): Transport {
  const {
    protocols = ["mqtt"],
    connectTimeoutMs,
    highWaterMark = DEFAULT_HIGH_WATER_MARK,
    maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES,
  } = options;
  if (typeof options.url === "string" || options.url instanceof URL) checkUrl(options.url);
  checkConnectTimeout("websocket", connectTimeoutMs);
  const nextUrl = async () =>
    checkUrl(typeof options.url === "function" ? await options.url() : options.url);
  let fallback: Transport | undefined;
  return {
    async open(openOptions: OpenOptions = {}): Promise<Connection> {
      if (typeof globalThis.WebSocket !== "function") {
        // Node 20 has none: Tern's own RFC 6455 client, over node:net / node:tls.
        fallback ??= socketWebSocket({
          url: nextUrl,
          protocols,
          connectTimeoutMs,
          maxFrameBytes: maxQueuedBytes,
        });
        return fallback.open(openOptions);
      }
      const url = await nextUrl();
      const action = `open WebSocket ${url.origin}`;
      return openWithin(
        { signal: openOptions.signal, timeoutMs: connectTimeoutMs, action },
        (signal) =>
          openSocket({ url, protocols, limits: { highWaterMark, maxQueuedBytes }, signal, action }),
        (connection) => connection.close(),
      );
    },
  };
}

function checkUrl(url: string | URL): URL {
  const parsed = new URL(url);
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new TypeError(
      `Cannot create websocket transport: URL must start with ws:// or wss://, got "${parsed.protocol}"`,
    );
  }
  return parsed;
}

function openSocket(options: {
  url: URL;
  protocols: string[];
  limits: Limits;
  signal: AbortSignal;
  action: string;
}): Promise<Connection> {
  const { url, signal, action } = options;
  const socket = new WebSocket(url, options.protocols);
  socket.binaryType = "arraybuffer";
  let detail = "";
  return new Promise<Connection>((resolve, reject) => {
    const abandon = () => {
      socket.onclose = null;
      socket.close();
    };
    signal.addEventListener("abort", abandon, { once: true });
    socket.onerror = (event) => {
      detail = (event as ErrorEvent).message ?? "";
    };
    socket.onclose = (event) => {
      signal.removeEventListener("abort", abandon);
      reject(upgradeError(action, detail, event));
    };
    socket.onopen = () => {
      signal.removeEventListener("abort", abandon);
      resolve(socketConnection(socket, url, options.limits));
    };
  });
}

function upgradeError(action: string, detail: string, event: CloseEvent): TransportError {
  // Browsers hide why an upgrade failed; Deno names the cause in the error event.
  const refused = /tcp connect error|connection refused/i.test(detail);
  const dns = /lookup|resolve|name or service/i.test(detail);
  const tls = /certificate|tls|handshake/i.test(detail);
  const code = refused ? "refused" : dns ? "dns" : tls ? "tls-handshake" : "websocket-upgrade";
  const status = Number(/status code:? (\d{3})/i.exec(detail)?.[1]) || undefined;
  const what = refused
    ? "connection refused"
    : dns
    ? "host name not found"
    : tls
    ? "TLS handshake failed"
    : "the server refused the WebSocket upgrade";
  return new TransportError(`Cannot ${action}: ${what}${detail ? ` (${detail})` : ""}`, {
    code,
    status,
    cause: detail ? new Error(detail) : event,
  });
}

interface Limits {
  highWaterMark: number;
  maxQueuedBytes: number;
}

function socketConnection(socket: WebSocket, url: URL, limits: Limits): Connection {
  const peer = url.origin;
  let ended = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let onSocketClosed!: () => void;
  const socketClosed = new Promise<void>((resolve) => (onSocketClosed = resolve));
  const end = (error?: TransportError) => {
    if (ended) return;
    ended = true;
    try {
      if (error) controller.error(error);
      else controller.close();
    } catch {
      // A reader cancelled the stream; it is already closed.
    }
  };
  const close = async (): Promise<void> => {
    end();
    if (socket.readyState !== WebSocket.CLOSED) socket.close();
    await socketClosed;
  };
  const readable = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        controller = c;
      },
      cancel: close,
    },
    new ByteLengthQueuingStrategy({ highWaterMark: limits.maxQueuedBytes }),
  );
  socket.onmessage = (event) => {
    if (ended) return;
    if (typeof event.data === "string") {
      // [MQTT-6.0.0-1] MQTT control packets travel in binary frames only.
      end(
        new TransportError(`Cannot read from ${peer}: the server sent a text frame`, {
          code: "network",
        }),
      );
      socket.close();
      return;
    }
    controller.enqueue(new Uint8Array(event.data as ArrayBuffer));
    if ((controller.desiredSize ?? 0) < 0) {
      end(
        new TransportError(
          `Cannot read from ${peer}: more than ${limits.maxQueuedBytes} bytes received and not read`,
          { code: "network" },
        ),
      );
      socket.close();
    }
  };
  socket.onerror = null;
  socket.onclose = (event) => {
    onSocketClosed();
    end(
      event.wasClean ? undefined : new TransportError(
        `Cannot read from ${peer}: the connection was lost (code ${event.code})`,
        { code: "network", cause: event },
      ),
    );
  };
  return {
    readable,
    async write(bytes) {
      if (ended || socket.readyState !== WebSocket.OPEN) {
        throw new TransportError(`Cannot write to ${peer}: the connection is closed`, {
          code: "network",
        });
      }
      socket.send(bytes);
      while (
        socket.bufferedAmount > limits.highWaterMark && socket.readyState === WebSocket.OPEN
      ) {
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      }
    },
    close,
  };
}
