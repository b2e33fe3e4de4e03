import type { MqttClient } from "@tern/agent";

/** Publishes an alert for every temperature reading above `limit` °C. */
export async function startAlerts(client: MqttClient, limit: number): Promise<void> {
  await client.subscribe("sensors/+/temperature", {
    qos: 1,
    handler: async (message) => {
      const celsius = Number(new TextDecoder().decode(message.payload));
      if (celsius > limit) {
        const device = message.topic.split("/")[1];
        await client.publish(`alerts/${device}`, `too hot: ${celsius} °C`, { qos: 1 });
      }
    },
  });
}
