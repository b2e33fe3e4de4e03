/**
 * What the browser bundle (`deno task build:browser` → `dist/browser/tern.js`) exports:
 * the client, the WebSocket transport, topic helpers and the device shadow client. Nothing
 * here reaches TCP, TLS, proxies or another runtime's sockets: a page has only WebSocket.
 *
 * @module
 */
export * from "@tern/agent";
export { websocket, type WebSocketOptions, type WebSocketUrl } from "@tern/transport/websocket";
export { matches, TopicTrie, validateTopicFilter, validateTopicName } from "@tern/subscriptions";
export {
  DeviceShadow,
  type DeviceShadowOptions,
  ShadowClient,
  type ShadowClientOptions,
  ShadowError,
  ShadowTimeoutError,
} from "@tern/shadow";
