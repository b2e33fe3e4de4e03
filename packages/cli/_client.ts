/**
 * Starts the `MqttClient` of a command. The first connection must succeed (a failure ends
 * the command, as in mosquitto); afterwards a lost connection is retried only where the
 * command asks for it (`tern sub` keeps listening, `tern pub` stops).
 *
 * @module
 */
import { MqttClient, type MqttClientOptions } from "@tern/agent";

/** How the client behaves once connected. */
export interface StartClientOptions {
  /** Reconnect (with backoff) after an accepted connection is lost. Default false. */
  reconnect?: boolean;
  /** Called with the client before it connects, to add listeners that must see everything. */
  beforeStart?: (client: MqttClient) => void;
}

/** Creates and starts the client; rejects (with the client stopped) if the first attempt fails. */
export async function startClient(
  options: MqttClientOptions,
  { reconnect = false, beforeStart }: StartClientOptions = {},
): Promise<MqttClient> {
  let connected = false;
  const client = new MqttClient({ ...options, shouldReconnect: () => reconnect && connected });
  client.on("connectionsuccess", () => {
    connected = true;
  });
  beforeStart?.(client);
  try {
    await client.start();
  } catch (error) {
    await client.stop();
    throw error;
  }
  return client;
}

/** Resolves on SIGINT or SIGTERM; call the returned function to stop listening. */
export function onInterrupt(): { interrupted: Promise<void>; dispose(): void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const listener = () => resolve();
  for (const signal of signals) Deno.addSignalListener(signal, listener);
  return {
    interrupted: promise,
    dispose: () => {
      for (const signal of signals) Deno.removeSignalListener(signal, listener);
    },
  };
}
