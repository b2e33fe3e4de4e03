/**
 * Asks the kernel for a free loopback TCP port.
 *
 * The port is released before it is returned, so another process could take it first;
 * callers that start a server on it should retry on "address in use".
 */
export function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Resolves once `port` accepts a TCP connection, or rejects after `timeoutMs`. */
export async function waitForPort(
  port: number,
  options: { hostname?: string; timeoutMs?: number; isAlive?: () => boolean } = {},
): Promise<void> {
  const { hostname = "127.0.0.1", timeoutMs = 10_000, isAlive = () => true } = options;
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      const conn = await Deno.connect({ hostname, port });
      conn.close();
      return;
    } catch (error) {
      if (!isAlive()) throw new Error(`Cannot reach port ${port}: the server process exited`);
      if (Date.now() > deadline) {
        throw new Error(`Cannot reach port ${port}: no listener after ${timeoutMs} ms`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
