/**
 * `@tern/transport`: the byte-stream interface under the MQTT client, with adapters for
 * TCP, TLS, WebSocket, Node and Cloudflare sockets, and HTTP proxies.
 *
 * @example Implement the interface
 * ```ts
 * import type { Transport } from "@tern/transport";
 *
 * const transport: Transport = { open: () => Promise.reject(new Error("offline")) };
 * console.log(typeof transport.open);
 * ```
 *
 * @module
 */
export type * from "./types.ts";
