import assert from "node:assert/strict";
import { encodeFrame, upgradeWebSocket, type WebSocketClientOptions } from "./_websocket_client.ts";
import { assertTransportError } from "./testdata/assert_error.ts";
import type { Connection } from "./types.ts";

/** An in-memory server end: what the client wrote, and a way to send it bytes. */
function fakePeer() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const written: Uint8Array[] = [];
  let wrote = Promise.withResolvers<void>();
  let closed = false;
  const connection: Connection = {
    readable: new ReadableStream({ start: (c) => void (controller = c) }),
    write(bytes) {
      if (closed) return Promise.reject(new Error("closed"));
      written.push(bytes.slice());
      wrote.resolve();
      return Promise.resolve();
    },
    close() {
      if (!closed) {
        closed = true;
        try {
          controller.close();
        } catch {
          // The client's reader already ended.
        }
      }
      return Promise.resolve();
    },
  };
  return {
    connection,
    written,
    get closed() {
      return closed;
    },
    send(bytes: Uint8Array | string) {
      controller.enqueue(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
    },
    async nextWrite(): Promise<Uint8Array> {
      while (written.length === 0) {
        await wrote.promise;
        wrote = Promise.withResolvers();
      }
      return written.shift()!;
    },
  };
}

type Peer = ReturnType<typeof fakePeer>;

async function acceptKey(key: string): Promise<string> {
  const data = new TextEncoder().encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", data));
  return btoa(String.fromCharCode(...digest));
}

/** Reads the upgrade request and answers it with `respond(accept)`. */
async function answer(peer: Peer, respond: (accept: string) => string): Promise<string> {
  const request = new TextDecoder().decode(await peer.nextWrite());
  const key = /^Sec-WebSocket-Key: (.*)$/m.exec(request)![1].trim();
  peer.send(respond(await acceptKey(key)));
  return request;
}

const ok = (accept: string) =>
  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`;

const options: WebSocketClientOptions = {
  url: new URL("ws://broker.example:8080/mqtt?token=a%2Fb"),
  protocols: ["mqtt"],
  maxFrameBytes: 1024,
  action: "open WebSocket ws://broker.example:8080",
};

async function open(
  respond = ok,
  overrides: Partial<WebSocketClientOptions> = {},
): Promise<{ peer: Peer; connection: Connection; request: string }> {
  const peer = fakePeer();
  const [connection, request] = await Promise.all([
    upgradeWebSocket(peer.connection, { ...options, ...overrides }),
    answer(peer, respond),
  ]);
  return { peer, connection, request };
}

/** An unmasked server frame. */
function serverFrame(first: number, payload: number[], second = payload.length): Uint8Array {
  return new Uint8Array([first, second, ...payload]);
}

/** Unmasks a client frame with a 7-bit length, checking the mask bit is set. */
function unmask(frame: Uint8Array): { opcode: number; payload: number[] } {
  assert.equal(frame[1] & 0x80, 0x80, "client frames are masked");
  const length = frame[1] & 0x7f;
  assert.ok(length < 126);
  const mask = frame.subarray(2, 6);
  const payload = [...frame.subarray(6)].map((b, i) => b ^ mask[i & 3]);
  assert.equal(payload.length, length);
  return { opcode: frame[0] & 0x0f, payload };
}

async function readAll(connection: Connection): Promise<number[]> {
  const bytes: number[] = [];
  for await (const chunk of connection.readable) bytes.push(...chunk);
  return bytes;
}

Deno.test("upgradeWebSocket() sends an HTTP/1.1 upgrade with a random key and the mqtt subprotocol", async () => {
  const { connection, request } = await open();
  const lines = request.split("\r\n");
  assert.equal(lines[0], "GET /mqtt?token=a%2Fb HTTP/1.1");
  assert.ok(lines.includes("Host: broker.example:8080"));
  assert.ok(lines.includes("Upgrade: websocket"));
  assert.ok(lines.includes("Connection: Upgrade"));
  assert.ok(lines.includes("Sec-WebSocket-Version: 13"));
  assert.ok(lines.includes("Sec-WebSocket-Protocol: mqtt"));
  const key = lines.find((line) => line.startsWith("Sec-WebSocket-Key: "))!.slice(19);
  assert.equal(atob(key).length, 16);
  assert.ok(request.endsWith("\r\n\r\n"));
  const second = await open();
  assert.notEqual(/Sec-WebSocket-Key: (.*)/.exec(second.request)![1], key);
  await connection.close();
  await second.connection.close();
});

Deno.test("upgradeWebSocket() refuses a non-101 answer with websocket-upgrade and the status", async () => {
  const peer = fakePeer();
  const opening = upgradeWebSocket(peer.connection, options);
  await answer(peer, () => "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
  const error = await assertTransportError(opening, "websocket-upgrade");
  assert.equal(error.status, 403);
  assert.match(error.message, /status 403 Forbidden/);
});

Deno.test("upgradeWebSocket() refuses a 101 answer that fails a check", async (t) => {
  const cases: [string, (accept: string) => string, RegExp][] = [
    [
      "a wrong Sec-WebSocket-Accept",
      () => ok("AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
      /Sec-WebSocket-Accept/,
    ],
    ["no Upgrade header", (a) => ok(a).replace("Upgrade: websocket\r\n", ""), /Upgrade: websocket/],
    ["no Connection header", (a) => ok(a).replace("Connection: Upgrade\r\n", ""), /Connection/],
    ["no subprotocol", (a) => ok(a).replace("Sec-WebSocket-Protocol: mqtt\r\n", ""), /selected no/],
    ["another subprotocol", (a) => ok(a).replace(": mqtt", ": mqttv3.1"), /"mqttv3.1"/],
    [
      "an extension not asked for",
      (a) => ok(a).replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
      /permessage-deflate/,
    ],
    ["no status line", () => "SSH-2.0-OpenSSH\r\n\r\n", /status line/],
  ];
  for (const [name, respond, message] of cases) {
    await t.step(name, async () => {
      const peer = fakePeer();
      const opening = upgradeWebSocket(peer.connection, options);
      await answer(peer, respond);
      const error = await assertTransportError(opening, "websocket-upgrade");
      assert.match(error.message, message);
    });
  }
});

Deno.test("upgradeWebSocket() gives up on an endless or cut-off upgrade answer", async () => {
  const peer = fakePeer();
  const opening = upgradeWebSocket(peer.connection, options);
  await peer.nextWrite();
  const line = "X-Filler: " + "a".repeat(1000) + "\r\n";
  peer.send("HTTP/1.1 101 Switching Protocols\r\n");
  for (let i = 0; i < 20; i++) peer.send(line);
  assert.match((await assertTransportError(opening, "websocket-upgrade")).message, /too long/);

  const cut = fakePeer();
  const cutOpening = upgradeWebSocket(cut.connection, options);
  await cut.nextWrite();
  cut.send("HTTP/1.1 101 Switching");
  await cut.connection.close();
  assert.match((await assertTransportError(cutOpening, "websocket-upgrade")).message, /closed/);
});

Deno.test("write() sends one masked binary frame with a fresh mask each time", async () => {
  const { peer, connection } = await open();
  await connection.write(new Uint8Array([0x10, 0x02, 0xff]));
  await connection.write(new Uint8Array([0x10, 0x02, 0xff]));
  const first = peer.written.shift()!;
  const second = peer.written.shift()!;
  assert.equal(first[0], 0x82, "FIN and binary opcode");
  assert.deepEqual(unmask(first), { opcode: 2, payload: [0x10, 0x02, 0xff] });
  assert.deepEqual(unmask(second), { opcode: 2, payload: [0x10, 0x02, 0xff] });
  assert.notDeepEqual(first.subarray(2, 6), second.subarray(2, 6));
  await connection.close();
});

Deno.test("encodeFrame() uses the 16-bit and 64-bit length forms above 125 bytes", () => {
  const medium = encodeFrame(2, new Uint8Array(300).fill(7));
  assert.equal(medium[1], 0x80 | 126);
  assert.equal((medium[2] << 8) | medium[3], 300);
  assert.equal(medium.length, 4 + 4 + 300);
  const mask = medium.subarray(4, 8);
  assert.equal(medium[8 + 299] ^ mask[299 & 3], 7);

  const large = encodeFrame(2, new Uint8Array(70_000));
  assert.equal(large[1], 0x80 | 127);
  assert.deepEqual([...large.subarray(2, 10)], [0, 0, 0, 0, 0, 0x01, 0x11, 0x70]);
  assert.equal(large.length, 10 + 4 + 70_000);
});

Deno.test("readable carries fragmented messages, answers pings between fragments and reads 16/64-bit lengths", async () => {
  const { peer, connection } = await open();
  const long = Array.from({ length: 200 }, (_, i) => i & 0xff);
  peer.send(serverFrame(0x02, [1, 2])); // binary, not final
  peer.send(serverFrame(0x89, [9, 9])); // ping inside the message
  peer.send(serverFrame(0x80, [3])); // final continuation
  peer.send(new Uint8Array([0x82, 126, 0, 200, ...long]));
  peer.send(new Uint8Array([0x82, 127, 0, 0, 0, 0, 0, 0, 0, 2, 4, 5]));
  peer.send(serverFrame(0x8a, [])); // unsolicited pong, ignored
  peer.send(serverFrame(0x88, [0x03, 0xe8]));
  assert.deepEqual(await readAll(connection), [1, 2, 3, ...long, 4, 5]);
  assert.deepEqual(peer.written.map(unmask), [
    { opcode: 0xa, payload: [9, 9] },
    { opcode: 0x8, payload: [0x03, 0xe8] },
  ]);
  assert.ok(peer.closed);
  await connection.close();
  assert.equal(peer.written.length, 2, "no second close frame");
});

Deno.test("close() sends a close frame with status 1000, closes the connection and ends readable", async () => {
  const { peer, connection } = await open();
  const reading = readAll(connection);
  await connection.close();
  await connection.close();
  assert.deepEqual(await reading, []);
  assert.deepEqual(peer.written.map(unmask), [{ opcode: 0x8, payload: [0x03, 0xe8] }]);
  assert.ok(peer.closed);
  await assertTransportError(connection.write(new Uint8Array([1])), "network");
});

Deno.test("readable fails the connection on frames a server must not send", async (t) => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["a text frame", serverFrame(0x81, [0x41]), /text frame/],
    ["reserved bits", serverFrame(0xc2, [1]), /reserved/],
    ["a masked frame", new Uint8Array([0x82, 0x81, 1, 2, 3, 4, 5]), /masked/],
    ["a frame over the limit", new Uint8Array([0x82, 126, 0x04, 0x01]), /1025 bytes/],
    ["a 64-bit length over 2^32", new Uint8Array([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]), /bytes/],
    ["a continuation with no message", serverFrame(0x80, [1]), /continuation/],
    ["a new message inside another", new Uint8Array([0x02, 1, 1, 0x82, 1, 2]), /inside/],
    ["a fragmented ping", serverFrame(0x09, []), /control frame/],
    ["a ping over 125 bytes", new Uint8Array([0x89, 126, 0, 126]), /control frame/],
    ["an unknown opcode", serverFrame(0x83, []), /opcode 3/],
    ["a one-byte close", serverFrame(0x88, [3]), /close frame/],
    ["an end mid-frame", new Uint8Array([0x82, 5, 1, 2]), /inside a frame/],
  ];
  for (const [name, bytes, message] of cases) {
    await t.step(name, async () => {
      const { peer, connection } = await open();
      peer.send(bytes);
      if (name === "an end mid-frame") await peer.connection.close();
      const error = await assertTransportError(readAll(connection), "network");
      assert.match(error.message, message);
      assert.ok(peer.closed);
      await connection.close();
    });
  }
});

Deno.test("readable fails when the connection ends without a close frame", async () => {
  const { peer, connection } = await open();
  peer.send(serverFrame(0x82, [7]));
  await peer.connection.close();
  const reader = connection.readable.getReader();
  assert.deepEqual([...(await reader.read()).value!], [7]);
  await assertTransportError(reader.read(), "network");
  await connection.close();
});
