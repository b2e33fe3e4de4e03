/**
 * AWS IoT custom authorizers: MQTT over TLS on 443 with ALPN `mqtt`, or MQTT over
 * WebSocket.
 *
 * @module
 */
import type { IotClientOptions, IotCommonOptions } from "./client_options.ts";
import {
  type CustomAuthCredentials,
  customAuthQuery,
  customAuthUsername,
} from "./custom_auth_username.ts";
import { common, defined } from "./_common.ts";

/** Options for {@linkcode customAuthorizerOptions}. */
export interface CustomAuthorizerOptions extends IotCommonOptions, CustomAuthCredentials {
  /** CONNECT password, passed to the authorizer (base64-encoded by IoT Core). */
  password?: string | Uint8Array;
  /**
   * `"mqtt"` (default): TLS to port 443 with ALPN `mqtt`, the authorizer parameters in
   * the CONNECT username. `"websocket"`: `wss://<endpoint>/mqtt` with the authorizer
   * parameters in the URL's query string, which works in browsers too.
   */
  transport?: "mqtt" | "websocket";
}

/**
 * Client options for an AWS IoT custom authorizer. Over MQTT the username becomes
 * `<username>?x-amz-customauthorizer-name=…&<tokenKeyName>=…&x-amz-customauthorizer-signature=…`;
 * over WebSocket those parameters go on the `/mqtt` URL and the username stays as given.
 *
 * @example TLS on 443 with ALPN "mqtt"
 * ```ts
 * import { customAuthorizerOptions } from "@tern/aws";
 *
 * const options = customAuthorizerOptions({
 *   endpoint: "abc123-ats.iot.us-east-1.amazonaws.com",
 *   clientId: "device-1",
 *   username: "device-1",
 *   authorizerName: "my-authorizer",
 *   password: "secret",
 * });
 * console.log(options.url, options.alpnProtocols, options.username);
 * // "mqtts://abc123-ats.iot.us-east-1.amazonaws.com:443" ["mqtt"]
 * // "device-1?x-amz-customauthorizer-name=my-authorizer"
 * ```
 */
export function customAuthorizerOptions(options: CustomAuthorizerOptions): IotClientOptions {
  const action = "build custom authorizer options";
  const { host, base, username } = common(options, action);
  const transport = options.transport ?? "mqtt";
  if (transport !== "mqtt" && transport !== "websocket") {
    throw new TypeError(`Cannot ${action}: transport must be "mqtt" or "websocket"`);
  }
  const password = typeof options.password === "string"
    ? new TextEncoder().encode(options.password)
    : options.password;
  if (transport === "websocket") {
    const query = customAuthQuery(options);
    return defined({
      url: `wss://${host}/mqtt${query === "" ? "" : `?${query}`}`,
      ...base,
      username: username(options.username),
      password,
      websocketProtocols: ["mqtt"],
    });
  }
  return defined({
    url: `mqtts://${host}:443`,
    ...base,
    username: username(customAuthUsername(options)),
    password,
    alpnProtocols: ["mqtt"],
    serverName: host,
  });
}
