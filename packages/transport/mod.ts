/**
 * `@tern/transport`: the byte-stream interface under the MQTT client, with adapters for
 * TCP, TLS, WebSocket, Node and Cloudflare sockets, and HTTP proxies.
 *
 * This entry point holds what every runtime can load: the interface, the error type and
 * the Deno adapters (which touch `Deno` only when opened). Runtime-specific adapters that
 * import modules (`node:net`, `cloudflare:sockets`) have their own subpaths.
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
export * from "./errors.ts";
export * from "./tcp.ts";
export * from "./tls.ts";
export * from "./websocket.ts";
export * from "./http_proxy.ts";
export * from "./websocket_proxy.ts";
export * from "./url.ts";
