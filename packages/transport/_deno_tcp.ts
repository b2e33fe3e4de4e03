/**
 * A TCP connection with `Deno.connect`, with Nagle's algorithm off (`TCP_NODELAY`): MQTT's
 * packets are small, and with it on one written while the last is unacknowledged waits for
 * the peer's delayed ACK (about 40 ms on Linux). `Deno.connect` leaves it on.
 */
export async function connectTcp(
  options: Deno.ConnectOptions & { signal?: AbortSignal },
): Promise<Deno.TcpConn> {
  const conn = await Deno.connect(options);
  conn.setNoDelay(true);
  return conn;
}
