/**
 * Real MQTT connections as {@linkcode MqttLike}, for the shadow tests against mosquitto:
 * through `@tern/agent`'s `MqttClient` (through `asMqttLike`, as the `shadow-service` command does)
 * and through MQTT.js (the dev-only oracle in the import map), to show that any client fits.
 */
import { Buffer } from "node:buffer";
import mqtt from "mqtt";
import { asMqttLike, connect } from "@tern/agent";
import type { MqttLike, MqttLikeMessage } from "@tern/shadow";
import { topicMatches } from "../packages/shadow/_topic_match.ts";

/** An {@linkcode MqttLike} over a real broker connection; disposing it disconnects. */
export interface RealMqtt extends MqttLike, AsyncDisposable {
  /** Resolves after the next reconnect (CONNACK) of this connection. */
  reconnected(): Promise<void>;
  /** How many subscriptions the broker has granted on this connection so far. */
  readonly granted: number;
}

/** Options for the connectors. */
export interface ConnectOptions {
  /** Reconnect after the connection drops, after this many ms; by default never. */
  reconnectDelayMs?: number;
}

/** A way to open a {@linkcode RealMqtt}. */
export interface Connector {
  name: string;
  /** Whether the client restores its subscriptions itself after the broker lost the session. */
  restoresSubscriptions: boolean;
  connect(url: string, options?: ConnectOptions): Promise<RealMqtt>;
}

function countGrants(inner: MqttLike): { mqtt: MqttLike; granted: () => number } {
  let granted = 0;
  return {
    mqtt: {
      publish: (topic, payload, options) => inner.publish(topic, payload, options),
      async subscribe(filter, handler, options) {
        const subscription = await inner.subscribe(filter, handler, options);
        granted++;
        return subscription;
      },
      ...(inner.onSessionLost &&
        { onSessionLost: (listener: () => void) => inner.onSessionLost!(listener) }),
    },
    granted: () => granted,
  };
}

/** `@tern/agent`'s MqttClient (MQTT 5) through `asMqttLike`. */
export const agentConnector: Connector = {
  name: "@tern/agent",
  restoresSubscriptions: true,
  async connect(url, options = {}) {
    const delay = options.reconnectDelayMs;
    const client = await connect(url, {
      reconnect: delay === undefined ? false : { nextDelay: () => delay },
    });
    const { mqtt, granted } = countGrants(asMqttLike(client));
    const reconnects = new Set<() => void>();
    client.on("connectionsuccess", () => {
      for (const resolve of reconnects) resolve();
      reconnects.clear();
    });
    return {
      ...mqtt,
      reconnected: () => new Promise((resolve) => reconnects.add(resolve)),
      get granted() {
        return granted();
      },
      [Symbol.asyncDispose]: () => client.stop(),
    };
  },
};

/**
 * MQTT.js (MQTT 3.1.1, clean session) adapted the same way: local fan-out by filter, and
 * since it is told not to re-subscribe, every reconnect without a session is reported
 * through `onSessionLost`.
 */
export const mqttJsConnector: Connector = {
  name: "MQTT.js",
  restoresSubscriptions: false,
  async connect(url, options = {}) {
    const client = await mqtt.connectAsync(url, {
      clean: true,
      reconnectPeriod: options.reconnectDelayMs ?? 0,
      resubscribe: false,
    });
    const entries = new Set<{ filter: string; handler: (message: MqttLikeMessage) => void }>();
    const sessionLost = new Set<() => void>();
    const reconnects = new Set<() => void>();
    client.on("message", (topic, payload) => {
      const message = { topic, payload: new Uint8Array(payload) };
      for (const entry of entries) if (topicMatches(entry.filter, topic)) entry.handler(message);
    });
    client.on("connect", (connack) => {
      if (!connack.sessionPresent) { for (const listener of sessionLost) listener(); }
      for (const resolve of reconnects) resolve();
      reconnects.clear();
    });
    const { mqtt: counted, granted } = countGrants({
      async publish(topic, payload, { qos }) {
        await client.publishAsync(topic, Buffer.from(payload), { qos });
      },
      async subscribe(filter, handler, { qos }) {
        const grants = await client.subscribeAsync(filter, { qos });
        if (grants.some((grant) => grant.qos === 128)) {
          throw new Error(`Cannot subscribe: the broker refused "${filter}"`);
        }
        const entry = { filter, handler };
        entries.add(entry);
        return {
          async unsubscribe() {
            if (!entries.delete(entry) || [...entries].some((e) => e.filter === filter)) return;
            if (client.connected) await client.unsubscribeAsync(filter);
          },
        };
      },
      onSessionLost(listener) {
        sessionLost.add(listener);
        return () => sessionLost.delete(listener);
      },
    });
    return {
      ...counted,
      reconnected: () => new Promise((resolve) => reconnects.add(resolve)),
      get granted() {
        return granted();
      },
      async [Symbol.asyncDispose]() {
        await client.endAsync(true);
      },
    };
  },
};

/** Every connector the client tests run with. */
export const CONNECTORS: Connector[] = [agentConnector, mqttJsConnector];
