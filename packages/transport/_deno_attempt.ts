import { transportError } from "./_classify.ts";
import { denoConnection } from "./_deno_connection.ts";
import type { TlsConnection } from "./tls_options.ts";

/**
 * Runs the body of a Deno adapter's connection attempt. The connection the body last
 * passed to `hold` is closed when `signal` aborts (the runtime cannot cancel a handshake)
 * or when the body fails; a failure is rethrown as a transport error for `action`.
 */
export async function holdingConn<T>(
  signal: AbortSignal,
  action: string,
  body: (hold: (conn: Deno.Conn) => void) => Promise<T>,
): Promise<T> {
  let conn: Deno.Conn | undefined;
  const abandon = () => {
    const pending = conn;
    conn = undefined;
    try {
      pending?.close();
    } catch {
      // Already released by the runtime, after a failed handshake or by Deno.startTls.
    }
  };
  signal.addEventListener("abort", abandon, { once: true });
  try {
    return await body((held) => (conn = held));
  } catch (error) {
    abandon();
    throw transportError(action, error);
  } finally {
    signal.removeEventListener("abort", abandon);
  }
}

/**
 * Completes the handshake of a held TLS connection, unless the attempt was abandoned
 * meanwhile, and adapts it with the ALPN protocol the server chose.
 */
export async function finishTls(
  conn: Deno.TlsConn,
  peer: string,
  signal: AbortSignal,
): Promise<TlsConnection> {
  if (signal.aborted) throw signal.reason;
  const { alpnProtocol } = await conn.handshake();
  return denoConnection(conn, peer, { alpnProtocol });
}
