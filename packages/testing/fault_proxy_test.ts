import assert from "node:assert/strict";
import { readExactly } from "../transport/testdata/exchange.ts";
import { startBroker } from "../../tests/support/broker.ts";
import { startFaultProxy } from "./fault_proxy.ts";

/** A loopback echo server that counts what it received and notices closed connections. */
function startEcho() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let received = 0;
  let ended = 0;
  const endedWaiters: (() => void)[] = [];
  const serve = async (conn: Deno.Conn) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        received += n;
        let written = 0;
        while (written < n) written += await conn.write(buffer.subarray(written, n));
      }
    } catch {
      // Closed under us by stop().
    }
    conns.delete(conn);
    try {
      conn.close();
    } catch {
      // Already closed.
    }
    ended++;
    endedWaiters.splice(0).forEach((wake) => wake());
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        tasks.push(serve(conn));
      }
    } catch {
      // Listener closed.
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get received() {
      return received;
    },
    /** Resolves once `count` server-side connections have ended. */
    async ended(count: number) {
      while (ended < count) await new Promise<void>((wake) => endedWaiters.push(wake));
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of conns) conn.close();
      await Promise.all(tasks);
    },
  };
}

async function connect(port: number): Promise<Deno.Conn> {
  return await Deno.connect({ hostname: "127.0.0.1", port });
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

/** Settles with "pending" if `promise` has not settled after `ms` (used for "nothing happens"). */
async function stillPending<T>(promise: Promise<T>, ms: number): Promise<"pending" | "settled"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    promise.then(() => "settled" as const, () => "settled" as const),
    new Promise<"pending">((resolve) => timer = setTimeout(() => resolve("pending"), ms)),
  ]);
  clearTimeout(timer);
  return result;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

Deno.test("startFaultProxy() forwards bytes both ways", async () => {
  await using echo = startEcho();
  await using proxy = await startFaultProxy({ targetPort: echo.port });
  const conn = await connect(proxy.port);
  try {
    await writeAll(conn, bytes("hello"));
    assert.equal(text(await readExactly(conn, 5)), "hello");
    assert.equal(proxy.accepted, 1);
    assert.equal(proxy.open, 1);
  } finally {
    conn.close();
  }
});

Deno.test("drop() ends every current connection on both sides and lets new ones through", async () => {
  await using echo = startEcho();
  await using proxy = await startFaultProxy({ targetPort: echo.port });
  const first = await connect(proxy.port);
  const second = await connect(proxy.port);
  try {
    await writeAll(first, bytes("a"));
    await readExactly(first, 1);
    await writeAll(second, bytes("b"));
    await readExactly(second, 1);
    proxy.drop();
    assert.equal(await first.read(new Uint8Array(1)), null);
    assert.equal(await second.read(new Uint8Array(1)), null);
    await echo.ended(2);
    assert.equal(proxy.open, 0);
  } finally {
    first.close();
    second.close();
  }
  const again = await connect(proxy.port);
  try {
    await writeAll(again, bytes("c"));
    assert.equal(text(await readExactly(again, 1)), "c");
  } finally {
    again.close();
  }
});

Deno.test("stall() holds bytes in both directions until resume()", async () => {
  await using echo = startEcho();
  await using proxy = await startFaultProxy({ targetPort: echo.port });
  const conn = await connect(proxy.port);
  try {
    proxy.stall();
    await writeAll(conn, bytes("held"));
    const reply = readExactly(conn, 4);
    assert.equal(await stillPending(reply, 200), "pending");
    assert.equal(echo.received, 0);
    proxy.resume();
    assert.equal(text(await reply), "held");
    assert.equal(echo.received, 4);
  } finally {
    conn.close();
  }
});

Deno.test("stall() also holds new connections and makes a large write wait", async () => {
  await using echo = startEcho();
  await using proxy = await startFaultProxy({ targetPort: echo.port });
  proxy.stall();
  const conn = await connect(proxy.port);
  try {
    // Far more than the kernel buffers between client and proxy can hold.
    const big = new Uint8Array(64 * 1024 * 1024).fill(7);
    const writing = writeAll(conn, big);
    assert.equal(await stillPending(writing, 300), "pending");
    assert.equal(echo.received, 0);
    proxy.resume();
    // The echo server writes everything back; read it so neither side blocks.
    const back = readExactly(conn, big.length);
    await writing;
    const echoed = await back;
    assert.equal(echoed.length, big.length);
    assert.ok(echoed.every((b) => b === 7));
  } finally {
    conn.close();
  }
});

Deno.test("halfOpen() closes the broker side and leaves the client waiting with no FIN", async () => {
  await using echo = startEcho();
  await using proxy = await startFaultProxy({ targetPort: echo.port });
  const conn = await connect(proxy.port);
  try {
    await writeAll(conn, bytes("x"));
    await readExactly(conn, 1);
    proxy.halfOpen();
    // The server's side of the connection ends; the client's stays open and silent.
    await echo.ended(1);
    await writeAll(conn, bytes("lost"));
    const read = conn.read(new Uint8Array(1));
    assert.equal(await stillPending(read, 200), "pending");
    assert.equal(echo.received, 1);
    assert.equal(proxy.open, 1);
    // A new connection is forwarded normally.
    const fresh = await connect(proxy.port);
    try {
      await writeAll(fresh, bytes("ok"));
      assert.equal(text(await readExactly(fresh, 2)), "ok");
    } finally {
      fresh.close();
    }
    // Closing the proxy finally releases the half-open socket.
    await proxy.close();
    assert.equal(await read.catch(() => null), null);
  } finally {
    conn.close();
  }
});

Deno.test("close() releases connections in every state", async () => {
  await using echo = startEcho();
  const proxy = await startFaultProxy({ targetPort: echo.port });
  const halfOpen = await connect(proxy.port);
  await writeAll(halfOpen, bytes("1"));
  await readExactly(halfOpen, 1);
  proxy.halfOpen();
  const stalled = await connect(proxy.port);
  proxy.stall();
  await writeAll(stalled, bytes("2"));
  const idle = await connect(proxy.port);
  try {
    await proxy.close();
    await proxy.close();
    assert.equal(proxy.open, 0);
    for (const conn of [halfOpen, stalled, idle]) {
      assert.equal(await conn.read(new Uint8Array(1)).catch(() => null), null);
    }
  } finally {
    for (const conn of [halfOpen, stalled, idle]) conn.close();
  }
});

Deno.test("a connection through the proxy ends at once when the broker is down", async () => {
  const echo = startEcho();
  const port = echo.port;
  await echo[Symbol.asyncDispose]();
  await using proxy = await startFaultProxy({ targetPort: port });
  const conn = await connect(proxy.port);
  try {
    assert.equal(await conn.read(new Uint8Array(1)).catch(() => null), null);
  } finally {
    conn.close();
  }
});

Deno.test("mosquitto answers a CONNECT through the proxy", async () => {
  await using broker = await startBroker();
  await using proxy = await startFaultProxy({ targetPort: broker.port });
  const conn = await connect(proxy.port);
  try {
    // MQTT 3.1.1 CONNECT, client id "p", clean session, keep-alive 60
    await writeAll(
      conn,
      new Uint8Array([0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 1, 0x70]),
    );
    assert.deepEqual([...await readExactly(conn, 4)], [0x20, 2, 0, 0]);
  } finally {
    conn.close();
  }
});

/** A server that keeps the first connection it accepts, for a test to read what arrived. */
function startSink() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    accepted,
    async [Symbol.asyncDispose]() {
      listener.close();
      (await accepted.catch(() => undefined))?.close();
    },
  };
}

Deno.test("corrupt() inverts the bytes that pass until resume()", async () => {
  await using sink = startSink();
  await using proxy = await startFaultProxy({ targetPort: sink.port });
  const conn = await connect(proxy.port);
  try {
    const server = await sink.accepted;
    proxy.corrupt();
    await writeAll(conn, new Uint8Array([0x10, 0xff]));
    assert.deepEqual([...await readExactly(server, 2)], [0xef, 0x00]);
    proxy.resume();
    await writeAll(conn, new Uint8Array([0x10]));
    assert.deepEqual([...await readExactly(server, 1)], [0x10]);
  } finally {
    conn.close();
  }
});

Deno.test("cutAfter() lets that many bytes through, then closes the connection on both sides", async () => {
  await using sink = startSink();
  await using proxy = await startFaultProxy({ targetPort: sink.port });
  const conn = await connect(proxy.port);
  try {
    const server = await sink.accepted;
    proxy.cutAfter(7);
    await writeAll(conn, bytes("abc"));
    assert.equal(text(await readExactly(server, 3)), "abc");
    await writeAll(conn, bytes("defghij"));
    assert.equal(text(await readExactly(server, 4)), "defg");
    assert.equal(await server.read(new Uint8Array(8)), null);
    assert.equal(await conn.read(new Uint8Array(8)), null);
    assert.throws(() => proxy.cutAfter(-1), /byte count must be an integer >= 0, got -1/);
  } finally {
    conn.close();
  }
});

Deno.test("throttle() still forwards every byte, in order, and refuses a rate of 0", async () => {
  await using echo = startEcho();
  await using proxy = await startFaultProxy({ targetPort: echo.port });
  proxy.throttle(100_000);
  const conn = await connect(proxy.port);
  try {
    const data = new Uint8Array(30_000).map((_, i) => i % 251);
    await Promise.all([
      writeAll(conn, data),
      readExactly(conn, data.length).then((back) => assert.deepEqual(back, data)),
    ]);
    assert.throws(() => proxy.throttle(0), /bytes per second must be > 0, got 0/);
    proxy.throttle(undefined);
  } finally {
    conn.close();
  }
});
