import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { freePort } from "../../tests/support/free_port.ts";
import { CONNACK, connectPacket, PUBACK, runExchange } from "./testdata/exchange.ts";
import { TransportError } from "./errors.ts";
import { assertTransportError } from "./testdata/assert_error.ts";
import { recordNoDelay } from "./testdata/no_delay.ts";
import { tcp } from "./tcp.ts";

Deno.test("tcp() turns Nagle's algorithm off on its connections", async () => {
  await using broker = await startBroker();
  using noDelay = recordNoDelay();
  const connection = await tcp({ hostname: "127.0.0.1", port: broker.port }).open();
  await connection.close();
  assert.deepEqual(noDelay.values, [true]);
});

Deno.test("tcp() exchanges CONNECT/CONNACK and PUBLISH/PUBACK with mosquitto through read(into)", async () => {
  await using broker = await startBroker();
  const connection = await tcp({ hostname: "127.0.0.1", port: broker.port }).open();
  try {
    assert.equal(typeof connection.read, "function");
    const exchange = await runExchange(connection, { clientId: "tcp-read", via: "read" });
    assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
  } finally {
    await connection.close();
  }
});

Deno.test("tcp() exchanges the same bytes through readable", async () => {
  await using broker = await startBroker();
  const connection = await tcp({ hostname: "127.0.0.1", port: broker.port }).open();
  try {
    const exchange = await runExchange(connection, { clientId: "tcp-stream", via: "readable" });
    assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
  } finally {
    await connection.close();
  }
});

Deno.test("tcp() reports a refused connection as a TransportError with code refused", async () => {
  const port = freePort();
  const error = await assertTransportError(tcp({ hostname: "127.0.0.1", port }).open(), "refused");
  assert.match(error.message, /^Cannot connect to 127\.0\.0\.1:\d+: connection refused/);
});

Deno.test("tcp() open() rejects with the reason of an already aborted signal", async () => {
  const reason = new Error("caller gave up");
  await assert.rejects(
    tcp({ hostname: "127.0.0.1", port: freePort() }).open({ signal: AbortSignal.abort(reason) }),
    (error) => error === reason,
  );
});

Deno.test("tcp() close() is idempotent and ends readable and read()", async () => {
  await using broker = await startBroker();
  const connection = await tcp({ hostname: "127.0.0.1", port: broker.port }).open();
  const pending = connection.read!(new Uint8Array(16));
  await connection.close();
  await connection.close();
  assert.equal(await pending, null);
  assert.equal(await connection.read!(new Uint8Array(16)), null);
  await assert.rejects(connection.write(new Uint8Array([0xc0, 0])), TransportError);
});

Deno.test("tcp() readable ends when the broker closes the connection", async () => {
  await using broker = await startBroker();
  const connection = await tcp({ hostname: "127.0.0.1", port: broker.port }).open();
  try {
    // A DISCONNECT makes mosquitto close its side.
    await connection.write(new Uint8Array([0x10, 0x0c, 0, 4, 77, 81, 84, 84, 4, 2, 0, 60, 0, 0]));
    await connection.write(new Uint8Array([0xe0, 0x00]));
    const chunks: Uint8Array[] = [];
    for await (const chunk of connection.readable) chunks.push(chunk);
    assert.deepEqual(new Uint8Array(chunks.flatMap((chunk) => [...chunk])), CONNACK);
  } finally {
    await connection.close();
  }
});

Deno.test("tcp() rejects a bad port, host name or timeout when created", () => {
  assert.throws(() => tcp({ hostname: "127.0.0.1", port: 70000 }), RangeError);
  assert.throws(() => tcp({ hostname: "", port: 1883 }), TypeError);
  assert.throws(
    () => tcp({ hostname: "127.0.0.1", port: 1883, connectTimeoutMs: 0 }),
    /connectTimeoutMs must be a positive number, got 0/,
  );
});

Deno.test("tcp() read(into) fills a view on WebAssembly memory in place", async () => {
  await using broker = await startBroker();
  const connection = await tcp({ hostname: "127.0.0.1", port: broker.port }).open();
  try {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const view = new Uint8Array(memory.buffer, 1000, 4);
    await connection.write(connectPacket("wasm"));
    let filled = 0;
    while (filled < view.length) {
      const n = await connection.read!(view.subarray(filled));
      if (n === null) throw new Error("the broker closed the connection");
      filled += n;
    }
    // Read back through a fresh view, so the bytes are known to be in the memory itself.
    assert.deepEqual(new Uint8Array(memory.buffer).slice(1000, 1004), CONNACK);
  } finally {
    await connection.close();
  }
});
