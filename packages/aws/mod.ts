/**
 * `@tern/aws`: AWS IoT Core presets for Tern. Mutual TLS on 8883 or 443 (ALPN
 * `x-amzn-mqtt-ca`), MQTT over WebSocket with a SigV4-presigned URL, custom authorizers,
 * HTTP proxies, and the IoT Core broker limits. WebCrypto only, no native binaries.
 *
 * @example Presign the WebSocket URL of an IoT endpoint
 * ```ts
 * import { presignIotWebSocketUrl } from "@tern/aws";
 *
 * const url = await presignIotWebSocketUrl({
 *   endpoint: "abc123-ats.iot.us-east-1.amazonaws.com",
 *   credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
 *   date: new Date(),
 * });
 * console.log(new URL(url).pathname); // "/mqtt"
 * ```
 *
 * @module
 */
export type {
  BrokerLimits,
  SimpleMqtt,
  SimpleMqttMessage,
  SimpleMqttSubscription,
} from "@tern/agent";
export type { Connection, OpenOptions, Transport } from "@tern/transport";
export * from "./client_options.ts";
export * from "./mtls.ts";
export * from "./custom_authorizer.ts";
export * from "./websocket_sigv4.ts";
export * from "./iot_core_limits.ts";
export * from "./to_client_options.ts";
export * from "./credentials.ts";
export * from "./credentials_chain.ts";
export * from "./credentials_from_profile.ts";
export * from "./credentials_from_web_identity.ts";
export * from "./credentials_from_assume_role.ts";
export * from "./credentials_from_container.ts";
export * from "./credentials_from_instance_metadata.ts";
export * from "./presign_url.ts";
export * from "./iot_websocket_url.ts";
export * from "./certificate_authority.ts";
export * from "./provisioning_template.ts";
export * from "./fleet_provisioning_client.ts";
export * from "./fleet_provisioning_service.ts";
export * from "./jobs_client.ts";
export * from "./jobs_service.ts";
export { type CustomAuthCredentials, customAuthUsername } from "./custom_auth_username.ts";
export { type SdkMetrics, VERSION, withSdkMetrics } from "./sdk_metrics.ts";
