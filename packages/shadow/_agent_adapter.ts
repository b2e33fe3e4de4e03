/**
 * `@tern/agent`'s {@linkcode MqttClient} as an {@linkcode MqttLike}. Used by the
 * `shadow-service` command, the example and the integration tests; not part of the
 * published package, which depends on no MQTT client.
 *
 * @module
 */
import type { MqttClient } from "@tern/agent";
import type { MqttLike, MqttLikeMessage } from "./mqtt_like.ts";
import { topicMatches } from "./_topic_match.ts";

interface Entry {
  filter: string;
  handler: (message: MqttLikeMessage) => void;
}

/**
 * Adapts a started client: messages fan out locally by filter; a reconnect whose CONNACK
 * says the session is gone is reported to `onSessionLost`, because the agent does not
 * re-subscribe by itself.
 */
export function mqttLikeFromAgent(client: MqttClient): MqttLike {
  const entries = new Set<Entry>();
  const sessionLost = new Set<() => void>();
  client.on("message", (message) => {
    for (const entry of entries) {
      if (topicMatches(entry.filter, message.topic)) entry.handler(message);
    }
  });
  client.on("connectionsuccess", ({ connack }) => {
    if (!connack.sessionPresent) { for (const listener of sessionLost) listener(); }
  });
  return {
    async publish(topic, payload, { qos }) {
      await client.publish(topic, payload, { qos });
    },
    async subscribe(filter, handler, { qos }) {
      const [code] = (await client.subscribe(filter, { qos })).reasonCodes;
      if (code >= 0x80) {
        throw new Error(
          `Cannot subscribe to "${filter}": the broker refused with 0x${code.toString(16)}`,
        );
      }
      const entry = { filter, handler };
      entries.add(entry);
      return {
        async unsubscribe() {
          // Another handler on the same filter keeps the broker subscription.
          if (!entries.delete(entry) || [...entries].some((e) => e.filter === filter)) return;
          if (client.running) await client.unsubscribe(filter);
        },
      };
    },
    onSessionLost(listener) {
      sessionLost.add(listener);
      return () => sessionLost.delete(listener);
    },
  };
}
