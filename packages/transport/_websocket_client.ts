import { TransportError } from "./errors.ts";
import type { Connection } from "./types.ts";

/** RFC 6455 section 1.3: appended to the key before hashing into `Sec-WebSocket-Accept`. */
const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** The longest upgrade response header accepted; real servers send a few hundred bytes. */
const MAX_RESPONSE_HEADER = 16 * 1024;
/** How long `close()` lets the close frame leave before it drops the connection anyway. */
const CLOSE_GRACE_MS = 1000;

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** Options for {@linkcode upgradeWebSocket}. */
export interface WebSocketClientOptions {
  /** `ws://` or `wss://` URL: its host goes in `Host`, its path and query in the request line. */
  url: URL;
  /** Subprotocols to request; the server must select one of them. */
  protocols: string[];
  /** Frames with a longer payload fail the connection. */
  maxFrameBytes: number;
  /** Completes "Cannot …" in upgrade errors. */
  action: string;
}

/**
 * Speaks the client side of RFC 6455 over an already-open byte connection: sends the
 * upgrade request, checks the 101 answer, then carries bytes in binary frames. Frame
 * boundaries mean nothing to MQTT, so fragments are passed on as they arrive, never
 * reassembled. The returned connection owns `conn`; on failure the caller still does.
 */
export async function upgradeWebSocket(
  conn: Connection,
  options: WebSocketClientOptions,
): Promise<Connection> {
  const { url, protocols, action } = options;
  const key = base64(crypto.getRandomValues(new Uint8Array(16)));
  const lines = [
    `GET ${url.pathname || "/"}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
  ];
  if (protocols.length > 0) lines.push(`Sec-WebSocket-Protocol: ${protocols.join(", ")}`);
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  const input = new ByteReader(conn.readable.getReader());
  try {
    const head = await readHead(input, action);
    await checkUpgrade(head, { key, protocols, action });
  } catch (error) {
    input.release();
    throw error;
  }
  return frameConnection(conn, input, url.origin, options.maxFrameBytes);
}

/** Pulls bytes from a reader on demand, keeping what a caller has not taken yet. */
class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #held: Uint8Array = new Uint8Array(0);

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
  }

  get held(): Uint8Array {
    return this.#held;
  }

  /** Reads once more into the held bytes; false at end of stream. */
  async more(): Promise<boolean> {
    const { value, done } = await this.#reader.read();
    if (done) return false;
    const joined = new Uint8Array(this.#held.length + value.length);
    joined.set(this.#held);
    joined.set(value, this.#held.length);
    this.#held = joined;
    return true;
  }

  /** Waits until `n` bytes are held; false if the stream ends first. Only for small `n`. */
  async fill(n: number): Promise<boolean> {
    while (this.#held.length < n) if (!await this.more()) return false;
    return true;
  }

  take(n: number): Uint8Array {
    const taken = this.#held.subarray(0, n);
    this.#held = this.#held.subarray(n);
    return taken;
  }

  /** Up to `max` bytes, held ones first, without joining chunks; null at end of stream. */
  async some(max: number): Promise<Uint8Array | null> {
    if (this.#held.length === 0) {
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.#held = value;
    }
    return this.take(Math.min(max, this.#held.length));
  }

  release(): void {
    this.#reader.releaseLock();
  }
}

async function readHead(input: ByteReader, action: string): Promise<string> {
  let from = 0;
  for (;;) {
    const held = input.held;
    for (let i = Math.max(0, from - 3); i + 3 < held.length; i++) {
      if (held[i] === 13 && held[i + 1] === 10 && held[i + 2] === 13 && held[i + 3] === 10) {
        return new TextDecoder().decode(input.take(i + 4).subarray(0, i));
      }
    }
    if (held.length > MAX_RESPONSE_HEADER) {
      throw new TransportError(`Cannot ${action}: the upgrade response header is too long`, {
        code: "websocket-upgrade",
      });
    }
    from = held.length;
    if (!await input.more()) {
      throw new TransportError(
        `Cannot ${action}: the server closed the connection before answering the upgrade`,
        { code: "websocket-upgrade" },
      );
    }
  }
}

async function checkUpgrade(
  head: string,
  expected: { key: string; protocols: string[]; action: string },
): Promise<void> {
  const { key, protocols, action } = expected;
  const [statusLine, ...headerLines] = head.split("\r\n");
  const match = /^HTTP\/1\.1 (\d{3})(?: (.*))?$/.exec(statusLine);
  const refuse = (what: string, status?: number) =>
    new TransportError(`Cannot ${action}: ${what}`, { code: "websocket-upgrade", status });
  if (!match) throw refuse("the server sent no HTTP/1.1 status line");
  const status = Number(match[1]);
  if (status !== 101) {
    throw refuse(
      `the server refused the WebSocket upgrade with status ${status}${
        match[2] ? ` ${match[2]}` : ""
      }`,
      status,
    );
  }
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw refuse(`the upgrade response has a malformed header line "${line}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") {
    throw refuse('the upgrade response lacks "Upgrade: websocket"');
  }
  const connection = (headers.get("connection") ?? "").toLowerCase().split(",").map((t) =>
    t.trim()
  );
  if (!connection.includes("upgrade")) {
    throw refuse('the upgrade response lacks "Connection: Upgrade"');
  }
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(key + ACCEPT_GUID),
  );
  if (headers.get("sec-websocket-accept") !== base64(new Uint8Array(digest))) {
    throw refuse("the upgrade response has a wrong Sec-WebSocket-Accept");
  }
  // RFC 6455 4.1: no extension was asked for, so none may be in use (no compressed frames).
  if (headers.has("sec-websocket-extensions")) {
    throw refuse(
      `the server selected extensions "${
        headers.get("sec-websocket-extensions")
      }", which were not asked for`,
    );
  }
  const selected = headers.get("sec-websocket-protocol");
  if (protocols.length > 0 && (selected === undefined || !protocols.includes(selected))) {
    throw refuse(
      selected === undefined
        ? `the server selected no subprotocol (asked for ${protocols.join(", ")})`
        : `the server selected subprotocol "${selected}", which was not asked for`,
    );
  }
  if (protocols.length === 0 && selected !== undefined) {
    throw refuse(`the server selected subprotocol "${selected}", which was not asked for`);
  }
}

function frameConnection(
  conn: Connection,
  input: ByteReader,
  peer: string,
  maxFrameBytes: number,
): Connection {
  let closed = false;
  /** Set by `close()`: the ending of the connection it causes is not a failure. */
  let closedByUs = false;
  let closeSent = false;
  /** Payload bytes of the current data frame still to be read. */
  let remaining = 0;
  /** Inside a fragmented binary message, continuation frames are expected. */
  let fragmented = false;
  let writing: Promise<void> = Promise.resolve();
  const send = (opcode: number, payload: Uint8Array): Promise<void> => {
    const frame = encodeFrame(opcode, payload);
    const sent = writing.then(() => conn.write(frame));
    writing = sent.catch(() => {});
    return sent;
  };
  const broken = (what: string) => {
    closed = true;
    conn.close().catch(() => {});
    return new TransportError(`Cannot read from ${peer}: ${what}`, { code: "network" });
  };
  const shutdown = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    closedByUs = true;
    if (!closeSent) {
      closeSent = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        send(OP_CLOSE, new Uint8Array([0x03, 0xe8])).catch(() => {}),
        new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
      ]);
      clearTimeout(timer);
    }
    await conn.close();
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const end = () => {
    try {
      controller.close();
    } catch {
      // Already closed or errored, or cancelled by the reader.
    }
  };
  const readable = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    async pull() {
      try {
        await readFrames();
      } catch (error) {
        if (!closedByUs) throw error;
        end();
      }
    },
    cancel: shutdown,
  }, { highWaterMark: 0 });
  const readFrames = async (): Promise<void> => {
    for (;;) {
      if (closed) return end();
      if (remaining > 0) {
        const chunk = await input.some(remaining);
        if (chunk === null) throw broken("the connection ended inside a frame");
        remaining -= chunk.length;
        return controller.enqueue(chunk);
      }
      if (!await input.fill(2)) {
        if (closed) return end();
        throw broken("the connection was lost without a close frame");
      }
      const [b0, b1] = input.held;
      if ((b0 & 0x70) !== 0) throw broken("the server set reserved frame bits");
      if ((b1 & 0x80) !== 0) throw broken("the server sent a masked frame");
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      const short = b1 & 0x7f;
      const headerLength = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (!await input.fill(headerLength)) throw broken("the connection ended inside a frame");
      const header = input.take(headerLength);
      const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
      const length = short === 126
        ? view.getUint16(2)
        : short === 127
        ? view.getUint32(2) * 2 ** 32 + view.getUint32(6)
        : short;
      if (opcode >= 0x8) {
        // RFC 6455 5.5: control frames are never fragmented and carry at most 125 bytes.
        if (!fin || length > 125) throw broken("the server sent a malformed control frame");
        if (!await input.fill(length)) throw broken("the connection ended inside a frame");
        const payload = input.take(length).slice();
        if (opcode === OP_PING) {
          await send(OP_PONG, payload).catch(() => {});
        } else if (opcode === OP_CLOSE) {
          if (length === 1) throw broken("the server sent a malformed close frame");
          if (!closeSent) {
            closeSent = true;
            // RFC 6455 5.5.1: the answering close frame echoes the status code.
            await send(OP_CLOSE, payload.subarray(0, 2)).catch(() => {});
          }
          closed = true;
          await conn.close();
          return end();
        } else if (opcode !== OP_PONG) {
          throw broken(`the server sent a frame with unknown opcode ${opcode}`);
        }
        continue;
      }
      if (opcode === OP_TEXT) {
        // [MQTT-6.0.0-1] MQTT control packets travel in binary frames only.
        throw broken("the server sent a text frame");
      }
      if (opcode === OP_BINARY) {
        if (fragmented) throw broken("the server started a message inside another");
      } else if (opcode === OP_CONTINUATION) {
        if (!fragmented) throw broken("the server sent a continuation frame with no message");
      } else {
        throw broken(`the server sent a frame with unknown opcode ${opcode}`);
      }
      if (length > maxFrameBytes) {
        throw broken(`the server sent a frame of ${length} bytes (at most ${maxFrameBytes})`);
      }
      fragmented = !fin;
      remaining = length;
    }
  };
  return {
    readable,
    async write(bytes) {
      if (closed) {
        throw new TransportError(`Cannot write to ${peer}: the connection is closed`, {
          code: "network",
        });
      }
      await send(OP_BINARY, bytes);
    },
    async close() {
      await shutdown();
      end();
    },
  };
}

/** One FIN frame from the client: always masked, with a fresh random key (RFC 6455 5.3). */
export function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = new Uint8Array(2 + extended + 4 + length);
  const view = new DataView(frame.buffer);
  frame[0] = 0x80 | opcode;
  if (extended === 0) frame[1] = 0x80 | length;
  else if (extended === 2) {
    frame[1] = 0x80 | 126;
    view.setUint16(2, length);
  } else {
    frame[1] = 0x80 | 127;
    view.setUint32(2, Math.floor(length / 2 ** 32));
    view.setUint32(6, length >>> 0);
  }
  const maskAt = 2 + extended;
  const mask = crypto.getRandomValues(frame.subarray(maskAt, maskAt + 4));
  for (let i = 0; i < length; i++) frame[maskAt + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
