import type { TlsSettings } from "./tls_options.ts";
import type { Transport } from "./types.ts";

/**
 * A socket connection to a broker, described without naming the runtime's API: what
 * `_sockets.ts` is asked for, and what each runtime's `_sockets_*.ts` makes a transport of.
 */
export interface SocketPlan {
  hostname: string;
  port: number;
  /** TLS to the broker; `undefined` for plain TCP. */
  tls?: TlsSettings;
  /** An HTTP proxy to tunnel through. */
  proxy?: string | URL;
  connectTimeoutMs?: number;
}

/** What each runtime's `_sockets_*.ts` module exports. */
export type SocketAdapter = (plan: SocketPlan) => Transport;
