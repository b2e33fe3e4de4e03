import { MqttClient } from "./client.ts";
import { Backoff } from "./backoff.ts";
import type { MqttClientOptions, ReconnectPolicy, StartOptions } from "./client_options.ts";

/** Options of {@linkcode connect}: the client's options without `url`, plus `signal`. */
export type ConnectOptions =
  & Omit<MqttClientOptions, "url" | "transport" | "servers">
  & StartOptions;

/**
 * Creates an {@linkcode MqttClient} for `url`, starts it and resolves once CONNACK accepted
 * the connection. Without a `reconnect` option, a failed first attempt rejects (and stops
 * the client) instead of retrying; connections lost later are retried with a
 * {@linkcode Backoff}.
 *
 * @example One line to a connected client
 * ```ts ignore
 * import { connect } from "@tern/agent";
 *
 * const client = await connect("mqtt://127.0.0.1:1883", { clientId: "one-liner" });
 * await client.publish("hello", "world", { qos: 1 });
 * await client.stop();
 * ```
 */
export async function connect(
  url: string | URL,
  options: ConnectOptions = {},
): Promise<MqttClient> {
  const { signal, ...clientOptions } = options;
  const client = new MqttClient({
    ...clientOptions,
    url,
    reconnect: clientOptions.reconnect ?? failFastThenBackoff(),
  });
  try {
    await client.start({ signal });
  } catch (error) {
    await client.stop();
    throw error;
  }
  return client;
}

function failFastThenBackoff(): ReconnectPolicy {
  const backoff = new Backoff();
  let everConnected = false;
  return {
    connected(now) {
      everConnected = true;
      backoff.connected(now);
    },
    nextDelay: (now) => everConnected ? backoff.nextDelay(now) : undefined,
  };
}
