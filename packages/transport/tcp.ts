/**
 * Plain TCP with `Deno.connect`.
 *
 * @module
 */
import { transportError } from "./_classify.ts";
import { openWithin } from "./_deadline.ts";
import { denoConnection } from "./_deno_connection.ts";
import { checkConnectTimeout, endpoint } from "./_endpoint.ts";
import type { Connection, OpenOptions, Transport } from "./types.ts";
import { connectTcp } from "./_deno_tcp.ts";

/** Options for {@linkcode tcp}. *
 * @example Options for a local broker
 * ```ts
 * import type { TcpOptions } from "@tern/transport/tcp";
 *
 * const options: TcpOptions = { hostname: "127.0.0.1", port: 1883, connectTimeoutMs: 5_000 };
 * console.log(options.port);
 * ```
 */
export interface TcpOptions {
  /** Host name or IP address of the server. */
  hostname: string;
  /** TCP port of the server, usually 1883. */
  port: number;
  /** Milliseconds `open()` waits before it fails with a `timeout` error; default 30 000. */
  connectTimeoutMs?: number;
}

/**
 * A transport over plain TCP (`mqtt://`), using `Deno.connect`. Needs `--allow-net`.
 *
 * Its connections offer the zero-copy `read(into)` fast path, and have Nagle's algorithm off
 * (`TCP_NODELAY`): MQTT packets are small, and one written while the previous is
 * unacknowledged would otherwise wait for the peer's delayed ACK.
 *
 * @example Tell a refused connection from other failures
 * ```ts
 * import { TransportError } from "@tern/transport";
 * import { tcp } from "@tern/transport/tcp";
 *
 * // Port 1 on loopback has no listener on any ordinary machine.
 * const error = await tcp({ hostname: "127.0.0.1", port: 1 }).open().catch((e) => e);
 * console.log(error instanceof TransportError && error.code); // "refused"
 * ```
 *
 * @example Open a connection to a local broker
 * ```ts ignore
 * import { tcp } from "@tern/transport/tcp";
 *
 * const connection = await tcp({ hostname: "127.0.0.1", port: 1883 }).open();
 * await connection.close();
 * ```
 */
export function tcp(options: TcpOptions): Transport {
  const peer = endpoint("tcp", options.hostname, options.port);
  checkConnectTimeout("tcp", options.connectTimeoutMs);
  const { hostname, port, connectTimeoutMs } = options;
  return {
    open(openOptions: OpenOptions = {}): Promise<Connection> {
      const action = `connect to ${peer}`;
      return openWithin(
        { signal: openOptions.signal, timeoutMs: connectTimeoutMs, action },
        async (signal) => {
          try {
            return denoConnection(await connectTcp({ hostname, port, signal }), peer);
          } catch (error) {
            throw transportError(action, error);
          }
        },
        (connection) => connection.close(),
      );
    },
  };
}
