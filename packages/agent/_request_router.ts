import { ReasonCodeError } from "./errors.ts";
import type { InboundMessage, SubscriptionResult } from "./session_types.ts";
import { withResolvers } from "./_with_resolvers.ts";

interface Waiter {
  resolve(message: InboundMessage): void;
  reject(error: Error): void;
}

/**
 * MQTT 5 request / response bookkeeping: one subscription per response topic, and the
 * requests waiting on it by correlation data.
 */
export class RequestRouter {
  /** A random id that makes this client's default response topic unique. */
  readonly id: string = Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  #subscribed = new Map<string, Promise<void>>();
  #waiting = new Map<string, Map<string, Waiter>>();

  /** Subscribes to `topic` once; a failed subscription is retried by the next request. */
  ensureSubscribed(topic: string, subscribe: () => Promise<SubscriptionResult>): Promise<void> {
    let done = this.#subscribed.get(topic);
    if (!done) {
      done = subscribe().then((result) => {
        const code = result.reasonCodes[0];
        if (code >= 0x80) {
          throw new ReasonCodeError(
            `Cannot subscribe to response topic "${topic}": the server refused it`,
            { reasonCode: code },
          );
        }
      });
      done.catch(() => this.#subscribed.delete(topic));
      this.#subscribed.set(topic, done);
    }
    return done;
  }

  /** The broker lost the session: response subscriptions must be made again. */
  forgetSubscriptions(): void {
    this.#subscribed.clear();
  }

  /** Registers a request; `cancel` rejects it (no effect once settled). */
  expect(topic: string): {
    correlationData: Uint8Array;
    response: Promise<InboundMessage>;
    cancel(error: Error): void;
  } {
    const correlationData = crypto.getRandomValues(new Uint8Array(16));
    const key = hex(correlationData);
    const { promise, resolve, reject } = withResolvers<InboundMessage>();
    let byKey = this.#waiting.get(topic);
    if (!byKey) this.#waiting.set(topic, byKey = new Map());
    const remove = () => {
      byKey.delete(key);
      if (byKey.size === 0) this.#waiting.delete(topic);
    };
    byKey.set(key, {
      resolve: (message) => {
        remove();
        resolve(message);
      },
      reject: (error) => {
        remove();
        reject(error);
      },
    });
    // The caller may give up before awaiting; never leave an unhandled rejection behind.
    promise.catch(() => {});
    return { correlationData, response: promise, cancel: (error) => byKey.get(key)?.reject(error) };
  }

  /** Hands a message to the request it answers; false when it answers none. */
  deliver(message: InboundMessage): boolean {
    if (this.#waiting.size === 0) return false;
    const byKey = this.#waiting.get(message.topic);
    const data = message.properties?.correlationData;
    if (!byKey || !data) return false;
    const waiter = byKey.get(hex(data));
    if (!waiter) return false;
    waiter.resolve(message);
    return true;
  }

  /** Rejects every waiting request. */
  failAll(error: Error): void {
    for (const byKey of [...this.#waiting.values()]) {
      for (const waiter of [...byKey.values()]) waiter.reject(error);
    }
  }
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}
