/**
 * One request over MQTT to an AWS IoT reserved-topic service (fleet provisioning, jobs):
 * subscribe to its `/accepted` and `/rejected` topics, publish, and settle with the first
 * matching answer.
 *
 * @module
 */
import type { SimpleMqtt } from "@tern/agent";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A JSON object as the services send it. */
export type JsonRecord = Record<string, unknown>;

/** What {@linkcode request} needs. */
export interface RequestSpec {
  /** Publishes on `topic`; answers come on `topic/accepted` and `topic/rejected`. */
  topic: string;
  /** The JSON request body. */
  body: JsonRecord;
  /** Says which answers belong to this request (e.g. by `clientToken`); default all. */
  matches?: (answer: JsonRecord) => boolean;
  /** Rejects with a `TimeoutError` DOMException after this long. */
  timeoutMs: number;
  /** Rejects with the signal's reason when aborted. */
  signal?: AbortSignal;
  /** Names the operation in error messages, e.g. "register thing". */
  action: string;
}

/** The answer to a request. */
export interface Answer {
  /** Which topic it came on. */
  outcome: "accepted" | "rejected";
  /** The JSON object it carried. */
  body: JsonRecord;
}

/** Parses a JSON object payload; `undefined` when it is not one. */
export function parseJsonObject(payload: Uint8Array): JsonRecord | undefined {
  try {
    const value = JSON.parse(decoder.decode(payload));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The UTF-8 JSON of `value`. */
export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * Subscribes to the two answer topics (before publishing, as the services require),
 * publishes the request at QoS 1, and resolves with the first matching answer. The
 * subscriptions end with the request.
 */
export async function request(mqtt: SimpleMqtt, spec: RequestSpec): Promise<Answer> {
  const { signal } = spec;
  signal?.throwIfAborted();
  const answer = Promise.withResolvers<Answer>();
  const listen = (outcome: Answer["outcome"]) =>
    mqtt.subscribe(`${spec.topic}/${outcome}`, (message) => {
      const body = parseJsonObject(message.payload);
      if (body && (spec.matches?.(body) ?? true)) answer.resolve({ outcome, body });
    }, { qos: 1 });
  const subscriptions = await Promise.allSettled([listen("accepted"), listen("rejected")]);
  const timer = setTimeout(
    () =>
      answer.reject(
        new DOMException(
          `Cannot ${spec.action}: no answer on ${spec.topic}/accepted or /rejected within ${spec.timeoutMs} ms`,
          "TimeoutError",
        ),
      ),
    spec.timeoutMs,
  );
  const onAbort = () => answer.reject(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const refused = subscriptions.find((s) => s.status === "rejected");
    if (refused) throw (refused as PromiseRejectedResult).reason;
    signal?.throwIfAborted();
    await Promise.race([
      mqtt.publish(spec.topic, jsonBytes(spec.body), { qos: 1 }),
      answer.promise,
    ]);
    return await answer.promise;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    answer.promise.catch(() => {});
    await Promise.allSettled(
      subscriptions.map((s) => s.status === "fulfilled" ? s.value.unsubscribe() : undefined),
    );
  }
}
