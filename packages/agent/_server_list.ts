/**
 * The servers a client connects to, tried in turn, and where MQTT 5 server references send
 * it. Pure bookkeeping: the runner asks for the current server, reports how each attempt
 * ended, and learns whether a reconnect delay is due before the next one.
 */
import type { Transport } from "@tern/transport";
import { ConnectionClosedError, ConnectionRefusedError } from "./errors.ts";

/** A broker: a URL (made into a transport by the client) or a ready transport. */
export type Server = string | URL | Transport;

interface Entry {
  server: Server;
  transport: Transport;
  /** Identity across redirects: the URL's href, or the transport object itself. */
  key: string | Transport;
}

const USE_ANOTHER_SERVER = 0x9c;
const SERVER_MOVED = 0x9d;
const SECURE_SCHEMES = new Set(["mqtts:", "tls:", "wss:"]);

/**
 * Rotation rules: a failed attempt moves to the next server at once, and a delay is due only
 * when the next server was already tried since the last delay or accepted connection, so one
 * round tries every server and loops of redirects still back off. A connection that was
 * accepted and then lost retries the same server. Reason 0x9C (Use another server) sends the
 * attempts that follow to the referenced server until one fails; 0x9D (Server moved) also
 * replaces the entry that answered it.
 */
export class ServerList {
  readonly #toTransport: (url: URL) => Transport;
  readonly #entries: Entry[];
  #index = 0;
  #redirect?: Entry;
  #tried = new Set<string | Transport>();

  constructor(servers: readonly Server[], toTransport: (url: URL) => Transport) {
    if (!Array.isArray(servers) || servers.length === 0) {
      throw new TypeError("Cannot create MqttClient: servers must be a non-empty array");
    }
    this.#toTransport = toTransport;
    this.#entries = servers.map((server, i) => {
      if (typeof server === "string" || server instanceof URL) {
        return this.#entryFor(parseUrl(server, `Cannot create MqttClient: servers[${i}]`));
      }
      if (typeof server?.open !== "function") {
        throw new TypeError(
          `Cannot create MqttClient: servers[${i}] must be a URL or a transport with open()`,
        );
      }
      return { server, transport: server, key: server };
    });
  }

  /** The server the next attempt goes to. */
  get current(): Server {
    return this.#next().server;
  }

  /** The transport of the server the next attempt goes to. */
  get transport(): Transport {
    return this.#next().transport;
  }

  /** Makes the transport for a URL, as for the servers given (for one-off overrides). */
  transportFor(url: string | URL): Transport {
    return this.#toTransport(parseUrl(url, "Cannot connect: the url given for this attempt"));
  }

  /** A connection was accepted: every server may be tried again without a delay. */
  connected(): void {
    this.#tried.clear();
  }

  /** The client waited the reconnect delay: a new round begins. */
  waited(): void {
    this.#tried.clear();
  }

  /**
   * The attempt on the current server ended with `error`; `accepted` tells whether CONNACK
   * had accepted the connection. Moves on, and returns whether a delay is due before the
   * next attempt.
   */
  ended(error: Error, accepted: boolean): boolean {
    const entry = this.#next();
    this.#tried.add(entry.key);
    const reference = this.#referenced(error, entry);
    if (reference) {
      if (reference.moved && !this.#redirect) this.#entries[this.#index] = reference.entry;
      else this.#redirect = reference.entry;
    } else if (!accepted) {
      // A redirect that fails ends; so does the turn of the entry that sent it there.
      this.#redirect = undefined;
      this.#index = (this.#index + 1) % this.#entries.length;
    }
    return this.#tried.has(this.#next().key);
  }

  #next(): Entry {
    return this.#redirect ?? this.#entries[this.#index];
  }

  #entryFor(url: URL): Entry {
    return { server: url.href, transport: this.#toTransport(url), key: url.href };
  }

  /**
   * The server an MQTT 5 server reference names, when it can be followed. Its format is
   * unspecified [MQTT-4.11]: the first of a space-separated list is taken, a reference
   * without a scheme takes the referring server's, and nothing leaves TLS for plain text.
   */
  #referenced(error: Error, from: Entry): { entry: Entry; moved: boolean } | undefined {
    if (!(error instanceof ConnectionRefusedError || error instanceof ConnectionClosedError)) {
      return undefined;
    }
    const code = error.reasonCode;
    if ((code !== USE_ANOTHER_SERVER && code !== SERVER_MOVED) || !error.serverReference) {
      return undefined;
    }
    const reference = error.serverReference.trim().split(/\s+/)[0];
    const base = typeof from.server === "string" ? new URL(from.server) : undefined;
    let url: URL;
    try {
      if (reference.includes("://")) url = new URL(reference);
      else if (base) url = new URL(`${base.protocol}//${reference}`);
      else return undefined;
    } catch {
      return undefined;
    }
    if (base && SECURE_SCHEMES.has(base.protocol) && !SECURE_SCHEMES.has(url.protocol)) {
      return undefined;
    }
    try {
      return { entry: this.#entryFor(url), moved: code === SERVER_MOVED };
    } catch {
      // A scheme no transport speaks: not a server this client can follow.
      return undefined;
    }
  }
}

function parseUrl(url: string | URL, what: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new TypeError(`${what} is not a valid URL: "${String(url)}"`);
  }
}
