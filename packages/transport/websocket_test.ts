import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { freePort } from "../../tests/support/free_port.ts";
import { assertAbortsMidOpen } from "./testdata/abort_mid_open.ts";
import { assertTransportError } from "./testdata/assert_error.ts";
import { CONNACK, PUBACK, runExchange } from "./testdata/exchange.ts";
import { concat, splitPackets } from "./testdata/frames.ts";
import { websocket } from "./websocket.ts";

Deno.test("websocket() exchanges CONNECT → PUBACK with mosquitto's WebSocket listener", async () => {
  await using broker = await startBroker({ websocket: true });
  const connection = await websocket({ url: `ws://127.0.0.1:${broker.wsPort}/mqtt` }).open();
  try {
    assert.equal(connection.read, undefined);
    const exchange = await runExchange(connection, { clientId: "ws", via: "readable" });
    assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
  } finally {
    await connection.close();
    await connection.close();
  }
});

/** A WebSocket server that answers with frames cut at chosen places. */
function framingServer(frames: Uint8Array[]) {
  const received: Uint8Array[] = [];
  const offered: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      offered.push(request.headers.get("sec-websocket-protocol") ?? "");
      const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "mqtt" });
      socket.binaryType = "arraybuffer";
      socket.onmessage = (event) => {
        received.push(new Uint8Array(event.data as ArrayBuffer));
        // Answer the first packet (CONNECT) with every prepared frame.
        if (received.length === 1) { for (const frame of frames) socket.send(frame); }
      };
      return response;
    },
  );
  return { server, received, offered, url: `ws://127.0.0.1:${server.addr.port}/mqtt` };
}

Deno.test("websocket() joins packets split across frames and splits frames holding several", async () => {
  const publish = new Uint8Array([0x30, 0xaf, 0x02, 0, 1, 0x61, ...new Uint8Array(300).fill(7)]);
  const pingresp = new Uint8Array([0xd0, 0x00]);
  const packets = [CONNACK, PUBACK, publish, pingresp];
  const stream = concat(packets);
  // Frames: the first CONNACK byte; two more; the last CONNACK byte, all of PUBACK and the
  // PUBLISH header cut inside its remaining-length varint; the rest.
  const cuts = [1, 3, 10, stream.length];
  const frames = cuts.map((end, i) => stream.slice(i === 0 ? 0 : cuts[i - 1], end));
  assert.deepEqual(frames[2], new Uint8Array([0x00, 0x40, 0x02, 0x00, 0x01, 0x30, 0xaf]));
  const peer = framingServer(frames);
  const connection = await websocket({ url: peer.url }).open();
  try {
    await connection.write(new Uint8Array([0x10, 0x02, 0, 0]));
    const reader = connection.readable.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (total < stream.length) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
    reader.releaseLock();
    assert.deepEqual(splitPackets(concat(chunks)), packets);
    assert.deepEqual(peer.offered, ["mqtt"]);
  } finally {
    await connection.close();
    await peer.server.shutdown();
  }
});

Deno.test("websocket() delivers several whole packets sent in one frame", async () => {
  const packets = [CONNACK, PUBACK, new Uint8Array([0xd0, 0x00])];
  const peer = framingServer([concat(packets)]);
  const connection = await websocket({ url: peer.url }).open();
  try {
    await connection.write(new Uint8Array([0x10, 0x02, 0, 0]));
    const reader = connection.readable.getReader();
    const { value } = await reader.read();
    reader.releaseLock();
    assert.deepEqual(splitPackets(value!), packets);
  } finally {
    await connection.close();
    await peer.server.shutdown();
  }
});

Deno.test("websocket() reports a refused upgrade with its HTTP status", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("no", { status: 403 }),
  );
  try {
    const error = await assertTransportError(
      websocket({ url: `ws://127.0.0.1:${server.addr.port}/mqtt` }).open(),
      "websocket-upgrade",
    );
    assert.equal(error.status, 403);
  } finally {
    await server.shutdown();
  }
});

Deno.test("websocket() reports a refused TCP connection as refused", async () => {
  await assertTransportError(
    websocket({ url: `ws://127.0.0.1:${freePort()}/mqtt` }).open(),
    "refused",
  );
});

Deno.test("websocket() gives up on a server that never answers the upgrade", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  try {
    await assertTransportError(
      websocket({ url: `ws://127.0.0.1:${listener.addr.port}/`, connectTimeoutMs: 50 }).open(),
      "timeout",
    );
  } finally {
    (await accepted).close();
  }
});

Deno.test("websocket() fails the stream on a text frame", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "mqtt" });
    socket.onopen = () => socket.send("not mqtt");
    return response;
  });
  const connection = await websocket({ url: `ws://127.0.0.1:${server.addr.port}/` }).open();
  try {
    await assertTransportError(connection.readable.getReader().read(), "network");
  } finally {
    await connection.close();
    await server.shutdown();
  }
});

Deno.test("websocket() calls a URL function on every open()", async () => {
  await using broker = await startBroker({ websocket: true });
  let calls = 0;
  const transport = websocket({
    url: () => `ws://127.0.0.1:${broker.wsPort}/mqtt?attempt=${++calls}`,
  });
  for (let i = 0; i < 2; i++) await (await transport.open()).close();
  assert.equal(calls, 2);
});

Deno.test("websocket() rejects a URL that is not ws:// or wss://", () => {
  assert.throws(() => websocket({ url: "http://127.0.0.1/" }), /ws:\/\/ or wss:\/\//);
});

Deno.test("websocket() open() rejects with the signal's reason when aborted mid-upgrade", async () => {
  await assertAbortsMidOpen((port, signal) =>
    websocket({ url: `ws://127.0.0.1:${port}/` }).open({ signal })
  );
});

Deno.test("websocket() fails the connection when unread bytes pass maxQueuedBytes", async () => {
  const frames = [1, 2, 3].map(() => new Uint8Array(1024));
  const peer = framingServer(frames);
  const connection = await websocket({ url: peer.url, maxQueuedBytes: 2048 }).open();
  try {
    await connection.write(new Uint8Array([0x10, 0x02, 0, 0]));
    // Nothing is read, so the third kilobyte overflows the queue.
    const reader = connection.readable.getReader();
    await assertTransportError(reader.closed, "network");
  } finally {
    await connection.close();
    await peer.server.shutdown();
  }
});
