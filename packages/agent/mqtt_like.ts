import type { MqttClient } from "./client.ts";
import { ReasonCodeError } from "./errors.ts";

/** A message as {@linkcode SimpleMqtt} handlers receive it. */
export interface SimpleMqttMessage {
  /** The topic the message was published to. */
  readonly topic: string;
  /** The payload bytes. */
  readonly payload: Uint8Array;
}

/** A subscription made through {@linkcode SimpleMqtt}. */
export interface SimpleMqttSubscription {
  /** Ends the handler's deliveries; the broker subscription goes with its last subscriber. */
  unsubscribe(): Promise<void>;
}

/**
 * The small publish / subscribe-with-a-handler surface that packages such as
 * `@tern/shadow` program against (its `MqttLike`), matched structurally so that neither
 * package imports the other.
 *
 * @example Hand a client to code that wants only publish and subscribe
 * ```ts
 * import type { SimpleMqtt } from "@tern/agent";
 *
 * async function ping(mqtt: SimpleMqtt): Promise<void> {
 *   await mqtt.publish("ping", new TextEncoder().encode("1"), { qos: 1 });
 * }
 * await ping({
 *   publish: () => Promise.resolve(),
 *   subscribe: () => Promise.resolve({ unsubscribe: () => Promise.resolve() }),
 * });
 * ```
 */
export interface SimpleMqtt {
  /** Publishes and resolves once acknowledged (QoS 1) or written (QoS 0). */
  publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1 }): Promise<void>;
  /** Resolves once the broker granted the subscription; rejects when it refused. */
  subscribe(
    filter: string,
    handler: (message: SimpleMqttMessage) => void,
    options: { qos: 0 | 1 },
  ): Promise<SimpleMqttSubscription>;
}

/**
 * The client as a {@linkcode SimpleMqtt}, for `@tern/shadow`'s `ShadowClient` and
 * `ShadowService`. Each `subscribe` is a local subscription of the client (its handler
 * runs in arrival order, off the connection's read path); subscriptions survive
 * reconnects, the client restoring them when the broker lost the session.
 *
 * @example Run a device shadow over the client
 * ```ts ignore
 * import { asMqttLike, MqttClient } from "@tern/agent";
 * import { ShadowClient } from "@tern/shadow";
 *
 * const client = new MqttClient({ url: "mqtt://127.0.0.1:1883", clientId: "lamp1" });
 * await client.start();
 * const shadow = new ShadowClient(asMqttLike(client), { thingName: "lamp1" });
 * console.log(await shadow.get());
 * ```
 */
export function asMqttLike(client: MqttClient): SimpleMqtt {
  return {
    async publish(topic, payload, { qos }) {
      await client.publish(topic, payload, { qos });
    },
    async subscribe(filter, handler, { qos }) {
      const subscription = client.subscribe(filter, {
        qos,
        handler: (message) => handler(message),
      });
      const [code] = (await subscription).reasonCodes;
      if (code >= 0x80) {
        throw new ReasonCodeError(
          `Cannot subscribe to "${filter}": the server refused with reason code 0x${
            code.toString(16).toUpperCase()
          }`,
          { reasonCode: code },
        );
      }
      return { unsubscribe: () => subscription.unsubscribe() };
    },
  };
}
