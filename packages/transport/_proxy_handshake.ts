import { checkTlsSettings } from "./_check_tls_settings.ts";
import { TransportError } from "./errors.ts";
import type { TlsSettings } from "./tls_options.ts";

/** The longest CONNECT response header we accept; real proxies send a few hundred bytes. */
const MAX_RESPONSE_HEADER = 16 * 1024;

/** A proxy URL taken apart: where it listens and the basic-auth header, if any. */
export interface ProxyEndpoint {
  hostname: string;
  port: number;
  /** `https://`: TLS to the proxy itself, before CONNECT. */
  secure: boolean;
  /** `Basic …` for the Proxy-Authorization header, when the URL carries credentials. */
  authorization?: string;
}

/** Parses `http[s]://[user[:password]@]host[:port]` (default port 80, or 443 for https). */
export function parseProxyUrl(proxy: string | URL): ProxyEndpoint {
  const url = new URL(proxy);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(
      `Cannot create http proxy transport: proxy URL must start with http:// or https://, got "${url.protocol}"`,
    );
  }
  const secure = url.protocol === "https:";
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  if (url.username === "" && url.password === "") return { hostname, port, secure };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return {
    hostname,
    port,
    secure,
    authorization: `Basic ${base64(new TextEncoder().encode(credentials))}`,
  };
}

/** Checks `proxyTls`, which only an `https://` proxy may have. */
export function checkProxyTls(
  adapter: string,
  proxy: ProxyEndpoint,
  proxyTls: TlsSettings | undefined,
): void {
  if (proxyTls === undefined) return;
  if (!proxy.secure) {
    throw new TypeError(
      `Cannot create ${adapter} transport: proxyTls is for https:// proxies only`,
    );
  }
  checkTlsSettings(adapter, proxyTls);
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The CONNECT request that asks the proxy for a tunnel to `target` (`host:port`). */
export function connectRequest(target: string, proxy: ProxyEndpoint): Uint8Array {
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
  if (proxy.authorization) lines.push(`Proxy-Authorization: ${proxy.authorization}`);
  return new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
}

/**
 * Reads the proxy's answer to CONNECT and returns once the tunnel is open; otherwise
 * throws a {@linkcode TransportError} that says why. Nothing may follow the header: MQTT
 * (and TLS) clients speak first, so early bytes mean the proxy is not tunnelling.
 */
export async function readConnectResponse(
  read: (into: Uint8Array) => Promise<number | null>,
  action: string,
): Promise<void> {
  const buffer = new Uint8Array(MAX_RESPONSE_HEADER);
  let filled = 0;
  let headerEnd = -1;
  while (headerEnd < 0) {
    if (filled === buffer.length) {
      throw new TransportError(`Cannot ${action}: the proxy's response header is too long`, {
        code: "proxy-protocol",
      });
    }
    const n = await read(buffer.subarray(filled));
    if (n === null) {
      throw new TransportError(`Cannot ${action}: the proxy closed the connection`, {
        code: "proxy-protocol",
      });
    }
    headerEnd = indexOfBlankLine(buffer.subarray(0, filled + n), Math.max(0, filled - 3));
    filled += n;
  }
  const head = new TextDecoder().decode(buffer.subarray(0, headerEnd));
  const statusLine = head.split("\r\n", 1)[0];
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) {
    throw new TransportError(`Cannot ${action}: the proxy sent no HTTP status line`, {
      code: "proxy-protocol",
    });
  }
  const status = Number(match[1]);
  const answer = match[2] ? `${status} ${match[2]}` : `${status}`;
  // 407 is the standard answer; some proxies (tinyproxy) answer wrong credentials with 401.
  if (status === 407 || status === 401) {
    throw new TransportError(`Cannot ${action}: the proxy requires authentication (${answer})`, {
      code: "proxy-auth-required",
      status,
    });
  }
  if (status < 200 || status > 299) {
    throw new TransportError(`Cannot ${action}: the proxy refused the tunnel (${answer})`, {
      code: "proxy-status",
      status,
    });
  }
  if (filled > headerEnd + 4) {
    throw new TransportError(`Cannot ${action}: the proxy sent data before the tunnel was used`, {
      code: "proxy-protocol",
    });
  }
}

function indexOfBlankLine(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}
