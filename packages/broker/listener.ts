/**
 * What the broker's network listeners take and give.
 *
 * @module
 */

/**
 * Options of {@linkcode Broker.listen}: plain TCP, or TLS when `cert` and `key` are set.
 *
 * @example A TLS listener that asks for client certificates
 * ```ts
 * import type { ListenOptions } from "@tern/broker";
 *
 * const options: ListenOptions = { port: 8883, cert: "PEM…", key: "PEM…", ca: "PEM…" };
 * console.log(options.port);
 * ```
 */
export interface ListenOptions {
  /** Address to bind. Default: `127.0.0.1`. */
  hostname?: string;
  /** Port; 0 (the default) picks a free one, see {@linkcode Listener.port}. */
  port?: number;
  /** PEM server certificate chain: turns the listener into TLS. */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
  /** PEM CA certificates that sign client certificates; set, client certificates are requested. */
  ca?: string;
  /** With `ca`: refuse a TLS handshake without a valid client certificate. Default: `true`. */
  requireClientCertificate?: boolean;
}

/**
 * Options of {@linkcode Broker.listenWebSocket}.
 *
 * @example Serve MQTT on ws://127.0.0.1:8080/mqtt
 * ```ts
 * import type { WebSocketListenOptions } from "@tern/broker";
 *
 * const options: WebSocketListenOptions = { port: 8080, path: "/mqtt" };
 * console.log(options.path);
 * ```
 */
export interface WebSocketListenOptions {
  /** Address to bind. Default: `127.0.0.1`. */
  hostname?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  /** The only path upgraded; others get 404. Default: any path. */
  path?: string;
  /** PEM certificate and key for `wss:`. */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
}

/**
 * A listening socket of the broker.
 *
 * @example Listen on a free port and stop
 * ```ts
 * import { Broker } from "@tern/broker";
 *
 * await using broker = new Broker();
 * const listener = await broker.listen({ port: 0 });
 * console.log(listener.port > 0); // true
 * await listener.close();
 * ```
 */
export interface Listener {
  /** The bound address. */
  readonly hostname: string;
  /** The bound port. */
  readonly port: number;
  /** `mqtt://`, `mqtts://`, `ws://` or `wss://` URL of the listener. */
  readonly url: string;
  /** Stops accepting; connections already open stay until the broker closes them. */
  close(): Promise<void>;
}

/**
 * Where a connection comes from, as its listener saw it (the hooks get it in `ClientInfo`).
 *
 * @example Serve a connection accepted elsewhere
 * ```ts
 * import { Broker, memoryPair, type Peer } from "@tern/broker";
 *
 * await using broker = new Broker();
 * const [client, server] = memoryPair();
 * const peer: Peer = { remoteAddress: "10.0.0.7:50123" };
 * const served = broker.serve(server, peer);
 * await client.close();
 * await served;
 * ```
 */
export interface Peer {
  /** `host:port` of the peer. */
  remoteAddress: string;
  /** The verified client certificate (DER), if the TLS listener got one. */
  peerCertificate?: Uint8Array;
}
