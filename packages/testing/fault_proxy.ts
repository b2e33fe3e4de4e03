/**
 * A fault-injecting TCP proxy on loopback (Deno), placed between any client and any broker:
 * it forwards bytes until told to drop every connection, stall them, turn them half-open,
 * throttle them, corrupt them, or cut one at a byte count.
 *
 * @module
 */

/** Where the proxy forwards to. */
export interface FaultProxyOptions {
  /** The broker's port. */
  targetPort: number;
  /** The broker's address; default `127.0.0.1`. */
  targetHostname?: string;
}

/** A running proxy. Faults apply at once; `close()` releases every socket and task. */
export interface FaultProxy extends AsyncDisposable {
  /** The port clients connect to. */
  readonly port: number;
  /** `mqtt://127.0.0.1:port` */
  readonly url: string;
  /** Client connections accepted so far, including closed ones. */
  readonly accepted: number;
  /** Client connections still open (half-open ones included). */
  readonly open: number;
  /** Closes every current connection on both sides now (the client sees the stream end). */
  drop(): void;
  /**
   * Stops forwarding in both directions, on current and new connections, until `resume()`;
   * sockets stay open and bytes wait (the senders' buffers fill, so their writes stall).
   */
  stall(): void;
  /**
   * Turns every current connection half-open: the broker side is closed, while the client side
   * stays open, is no longer read from and never receives a FIN, as when a peer vanishes
   * without a trace. New connections are forwarded normally.
   */
  halfOpen(): void;
  /**
   * Forwards at most `bytesPerSecond` in each direction of each connection (in chunks of a
   * tenth of a second's worth), on current and new connections; undefined lifts the limit.
   */
  throttle(bytesPerSecond: number | undefined): void;
  /** Inverts every byte forwarded from now on (both directions) until `resume()`. */
  corrupt(): void;
  /**
   * Cuts the connection that carries the `bytes`-th byte forwarded from now on (counting both
   * directions of every connection): the bytes up to it pass, then both sides are closed.
   */
  cutAfter(bytes: number): void;
  /** Ends a stall and a corruption: waiting bytes flow again, unchanged. */
  resume(): void;
  /** Stops accepting, closes every socket, and waits for every forwarding task to end. */
  close(): Promise<void>;
}

interface Pair {
  client: Deno.Conn;
  upstream?: Deno.Conn;
  /** Closed on the broker side, kept silent on the client side. */
  halfOpen: boolean;
  closed: boolean;
  /** Resolves once the pair is closed or half-open: its stalled pumps stop waiting. */
  ended: PromiseWithResolvers<void>;
}

/**
 * Starts a proxy on a free loopback port in front of `targetPort`.
 *
 * @example A client loses its connection, and comes back
 * ```ts
 * import { Broker } from "@tern/broker";
 * import { MqttClient } from "@tern/agent";
 * import { startFaultProxy } from "@tern/testing";
 *
 * await using broker = new Broker();
 * const listener = await broker.listen({ port: 0 });
 * await using proxy = await startFaultProxy({ targetPort: Number(new URL(listener.url).port) });
 * const client = new MqttClient({ url: proxy.url, reconnect: { nextDelay: () => 0 } });
 * await client.start();
 * const back = new Promise((resolve) => client.on("connectionsuccess", resolve));
 * proxy.drop();
 * await back;
 * console.log(proxy.accepted); // 2
 * await client.stop();
 * ```
 */
export function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { targetPort, targetHostname = "127.0.0.1" } = options;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const pairs = new Set<Pair>();
  const tasks = new Set<Promise<void>>();
  let accepted = 0;
  let closing = false;
  let gate: PromiseWithResolvers<void> | undefined;
  let bytesPerSecond: number | undefined;
  let corrupting = false;
  /** Bytes left before the cut; undefined: no cut pending. */
  let cutIn: number | undefined;
  const closed = Promise.withResolvers<void>();

  const track = (task: Promise<void>) => {
    tasks.add(task);
    task.finally(() => tasks.delete(task));
  };

  const closePair = (pair: Pair) => {
    if (pair.closed) return;
    pair.closed = true;
    pair.ended.resolve();
    pairs.delete(pair);
    closeQuietly(pair.client);
    if (pair.upstream) closeQuietly(pair.upstream);
  };

  /** Waits while stalled; resolves false when the bytes must not be forwarded any more. */
  const mayForward = async (pair: Pair): Promise<boolean> => {
    while (gate && !pair.closed && !pair.halfOpen) {
      await Promise.race([gate.promise, pair.ended.promise, closed.promise]);
      if (closing) return false;
    }
    return !pair.closed && !pair.halfOpen;
  };

  const pump = async (pair: Pair, from: Deno.Conn, to: Deno.Conn) => {
    const buffer = new Uint8Array(16 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        if (!(await mayForward(pair))) break;
        let end = n;
        let cut = false;
        if (cutIn !== undefined) {
          if (n >= cutIn) {
            end = cutIn;
            cut = true;
            cutIn = undefined;
          } else cutIn -= n;
        }
        if (corrupting) { for (let i = 0; i < end; i++) buffer[i] ^= 0xff; }
        let written = 0;
        while (written < end) {
          const rate = bytesPerSecond;
          const step = rate === undefined ? end : Math.max(1, Math.floor(rate / 10));
          const chunk = buffer.subarray(written, Math.min(end, written + step));
          let sent = 0;
          while (sent < chunk.length) sent += await to.write(chunk.subarray(sent));
          written += chunk.length;
          if (rate !== undefined) await sleep((chunk.length / rate) * 1000, pair, closed.promise);
        }
        if (cut) break;
      }
    } catch {
      // A socket closed under a pending read or write: the pair is going away either way.
    }
    // A half-open pair keeps its client socket until the proxy closes.
    if (!pair.halfOpen) closePair(pair);
  };

  const serve = async (client: Deno.Conn) => {
    const pair: Pair = {
      client,
      halfOpen: false,
      closed: false,
      ended: Promise.withResolvers<void>(),
    };
    pairs.add(pair);
    try {
      pair.upstream = await Deno.connect({ hostname: targetHostname, port: targetPort });
    } catch {
      // The broker is down: the client sees its connection end, as with a refused connection.
      closePair(pair);
      return;
    }
    if (pair.closed) {
      closeQuietly(pair.upstream);
      return;
    }
    await Promise.all([
      pump(pair, client, pair.upstream),
      pump(pair, pair.upstream, client),
    ]);
  };

  const acceptLoop = async () => {
    try {
      for await (const client of listener) {
        accepted++;
        track(serve(client));
      }
    } catch (error) {
      if (!closing) throw error;
    }
  };
  const accepting = acceptLoop();

  const proxy: FaultProxy = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    drop() {
      for (const pair of [...pairs]) closePair(pair);
    },
    stall() {
      gate ??= Promise.withResolvers<void>();
    },
    halfOpen() {
      for (const pair of pairs) {
        if (pair.halfOpen) continue;
        pair.halfOpen = true;
        pair.ended.resolve();
        if (pair.upstream) closeQuietly(pair.upstream);
      }
    },
    throttle(rate) {
      if (rate !== undefined && !(rate > 0)) {
        throw new RangeError(`Cannot throttle: bytes per second must be > 0, got ${rate}`);
      }
      bytesPerSecond = rate;
    },
    corrupt() {
      corrupting = true;
    },
    cutAfter(bytes) {
      if (!Number.isInteger(bytes) || bytes < 0) {
        throw new RangeError(`Cannot cut: the byte count must be an integer >= 0, got ${bytes}`);
      }
      cutIn = bytes;
      // Nothing more to forward: cut every connection now.
      if (bytes === 0) {
        cutIn = undefined;
        proxy.drop();
      }
    },
    resume() {
      gate?.resolve();
      gate = undefined;
      corrupting = false;
    },
    async close() {
      if (closing) return;
      closing = true;
      closed.resolve();
      listener.close();
      await accepting;
      // Tasks may still be connecting upstream; close until none is left.
      while (tasks.size > 0 || pairs.size > 0) {
        for (const pair of [...pairs]) closePair(pair);
        await Promise.allSettled([...tasks]);
      }
    },
    [Symbol.asyncDispose]() {
      return proxy.close();
    },
  };
  return Promise.resolve(proxy);
}

/** Waits `ms` (real time), or less when the pair or the proxy closes. */
async function sleep(ms: number, pair: Pair, closed: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    new Promise((resolve) => timer = setTimeout(resolve, ms)),
    pair.ended.promise,
    closed,
  ]);
  clearTimeout(timer);
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
