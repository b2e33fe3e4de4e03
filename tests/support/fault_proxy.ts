/**
 * A fault-injecting TCP proxy on loopback, placed between a client and a broker: it forwards
 * bytes until told to drop every connection, stall them, or turn them half-open.
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
  /** Ends a stall: waiting bytes flow again. */
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
 * ```ts ignore
 * await using broker = await startBroker();
 * await using proxy = await startFaultProxy({ targetPort: broker.port });
 * // connect the client to proxy.port, then:
 * proxy.halfOpen();
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
        let written = 0;
        while (written < n) written += await to.write(buffer.subarray(written, n));
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
    resume() {
      gate?.resolve();
      gate = undefined;
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

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
