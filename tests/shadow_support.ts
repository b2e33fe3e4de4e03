/**
 * Real MQTT connections as {@linkcode MqttLike}, for the shadow tests against mosquitto.
 * MQTT.js (the dev-only oracle in the import map) is the client until `@tern/agent`'s
 * `MqttClient` can take its place.
 */
import { Buffer } from "node:buffer";
import mqtt from "mqtt";
import type { MqttLike, MqttLikeMessage } from "@tern/shadow";
import { topicMatches } from "../packages/shadow/_memory_bus.ts";

/** An {@linkcode MqttLike} over a real broker connection; disposing it disconnects. */
export interface RealMqtt extends MqttLike, AsyncDisposable {
  /** Resolves after the next reconnect (CONNACK) of this connection. */
  reconnected(): Promise<void>;
  /** How many subscriptions the broker has granted on this connection so far. */
  readonly granted: number;
}

/** Options for {@linkcode connectMqttJs}. */
export interface ConnectOptions {
  /** Reconnect after the connection drops, this often (ms); 0 (default) never reconnects. */
  reconnectPeriod?: number;
}

/**
 * Connects MQTT.js with a clean session and adapts it to {@linkcode MqttLike}: one local
 * handler table fans messages out by filter; the client does not restore subscriptions
 * itself, so the adapter reports every reconnect without a session through `onSessionLost`.
 */
export async function connectMqttJs(url: string, options: ConnectOptions = {}): Promise<RealMqtt> {
  const client = await mqtt.connectAsync(url, {
    clean: true,
    reconnectPeriod: options.reconnectPeriod ?? 0,
    resubscribe: false,
  });
  const handlers = new Set<{ filter: string; handler: (message: MqttLikeMessage) => void }>();
  const sessionLost = new Set<() => void>();
  const reconnects = new Set<() => void>();
  let granted = 0;
  client.on("message", (topic, payload) => {
    const message = { topic, payload: new Uint8Array(payload) };
    for (const entry of handlers) if (topicMatches(entry.filter, topic)) entry.handler(message);
  });
  client.on("connect", (connack) => {
    if (!connack.sessionPresent) { for (const listener of sessionLost) listener(); }
    for (const resolve of reconnects) resolve();
    reconnects.clear();
  });
  return {
    async publish(topic, payload, { qos }) {
      await client.publishAsync(topic, Buffer.from(payload), { qos });
    },
    async subscribe(filter, handler, { qos }) {
      const grants = await client.subscribeAsync(filter, { qos });
      if (grants.some((grant) => grant.qos === 128)) {
        throw new Error(`Cannot subscribe: the broker refused "${filter}"`);
      }
      const entry = { filter, handler };
      handlers.add(entry);
      granted++;
      return {
        async unsubscribe() {
          handlers.delete(entry);
          if (client.connected) await client.unsubscribeAsync(filter);
        },
      };
    },
    onSessionLost(listener) {
      sessionLost.add(listener);
      return () => sessionLost.delete(listener);
    },
    reconnected: () => new Promise((resolve) => reconnects.add(resolve)),
    get granted() {
      return granted;
    },
    async [Symbol.asyncDispose]() {
      await client.endAsync(true);
    },
  };
}
