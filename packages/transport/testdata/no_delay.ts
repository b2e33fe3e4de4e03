// Records what the transports set TCP_NODELAY to on the connections Deno.connect opens:
// the option cannot be read back from a socket, and its effect shows only as a delay.
export interface NoDelayRecord extends Disposable {
  /** One entry per connection opened: the last value given to setNoDelay(), if any. */
  readonly values: (boolean | undefined)[];
}

/** Wraps Deno.connect until disposed. */
export function recordNoDelay(): NoDelayRecord {
  const connect = Deno.connect;
  const values: (boolean | undefined)[] = [];
  Deno.connect = (async (options: Deno.ConnectOptions) => {
    const conn = await connect(options);
    const index = values.push(undefined) - 1;
    const setNoDelay = conn.setNoDelay.bind(conn);
    conn.setNoDelay = (noDelay = true) => {
      values[index] = noDelay;
      setNoDelay(noDelay);
    };
    return conn;
  }) as typeof Deno.connect;
  return {
    values,
    [Symbol.dispose]() {
      Deno.connect = connect;
    },
  };
}
