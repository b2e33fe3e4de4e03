/**
 * Where a command connects: mosquitto's `-L mqtt(s)://[user[:password]@]host[:port]/topic`
 * (plus `ws(s)://`, `tcp://`, `tls://`), or `-h` and `-p`.
 *
 * @module
 */
import { integer } from "./_args.ts";
import { usage } from "./_errors.ts";

const URL_SCHEMES = ["mqtt:", "mqtts:", "ws:", "wss:", "tcp:", "tls:"];

/** Where to connect: from `-L` / `--url`, or from `-h` and `-p`. */
export interface Target {
  /** Host name or address. */
  hostname: string;
  /** TCP port. */
  port: number;
  /** TLS by the URL's scheme or port 8883; undefined: TLS only if TLS options are given. */
  secure?: boolean;
  /** The topic an mqtt:// URL's path names. */
  topic?: string;
  /** Credentials from the URL. */
  username?: string;
  password?: string;
  /** The broker URL for `fromUrl`, over TLS or not. */
  url(secure: boolean): string;
}

/** The target that `-L` / `--url`, `-h` and `-p` name. */
export function targetOf(v: { url?: string; host?: string; port?: string }): Target {
  if (v.url !== undefined) {
    let url: URL;
    try {
      url = new URL(v.url);
    } catch {
      throw usage(`Invalid URL for -L argument specified: "${v.url}".`);
    }
    if (!URL_SCHEMES.includes(url.protocol)) throw usage("unsupported URL scheme.");
    const web = url.protocol === "ws:" || url.protocol === "wss:";
    const secure = ["mqtts:", "wss:", "tls:"].includes(url.protocol);
    const path = decodeURIComponent(url.pathname.replace(/^\//, ""));
    const port = Number(url.port || (web ? (secure ? 443 : 80) : (secure ? 8883 : 1883)));
    const credentials = {
      username: url.username === "" ? undefined : decodeURIComponent(url.username),
      password: url.password === "" ? undefined : decodeURIComponent(url.password),
    };
    url.username = "";
    url.password = "";
    // An mqtt:// URL names the topic in its path (mosquitto's -L); a WebSocket URL's path
    // is where the broker listens.
    return {
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port,
      secure,
      topic: web || path === "" ? undefined : path,
      ...credentials,
      url: (tls) => {
        if (web) return url.href;
        return `${tls ? "mqtts" : "mqtt"}://${url.host}`;
      },
    };
  }
  const hostname = v.host ?? "localhost";
  const port = v.port === undefined
    ? undefined
    : integer(v.port, 1, 65535, `Invalid port given: ${v.port}`);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    hostname,
    port: port ?? 1883,
    // mosquitto turns TLS on for port 8883 (with the system's CAs).
    secure: port === 8883 ? true : undefined,
    url: (tls) => `${tls ? "mqtts" : "mqtt"}://${host}:${port ?? (tls ? 8883 : 1883)}`,
  };
}
