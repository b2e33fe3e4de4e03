/**
 * How the agent benchmarks drive a client: `count` publishes with at most 1000 outstanding
 * (many concurrent callers, without MQTT.js running out of packet ids, which it does past
 * 65535 QoS 1 publishes in flight, or piling up drain listeners), either as fast as the
 * client goes or paced to a rate.
 *
 * Plain JavaScript (typed with JSDoc) so that the Node driver of the AWS CRT client
 * (`node/crt_driver.mjs`) runs the very same loops as the Deno scripts.
 *
 * @module
 */

/** Publishes outstanding at most, for every client. */
export const WINDOW = 1000;

/**
 * Runs `count` publishes as fast as they complete, at most WINDOW at a time.
 *
 * @param {number} count
 * @param {() => Promise<unknown>} publish
 * @returns {Promise<void>}
 */
export async function windowed(count, publish) {
  let outstanding = 0;
  /** @type {unknown} */
  let failure;
  /** @type {(() => void) | undefined} */
  let wake;
  /** @param {unknown} [error] */
  const done = (error) => {
    if (error !== undefined) failure ??= error;
    outstanding--;
    wake?.();
    wake = undefined;
  };
  for (let i = 0; i < count; i++) {
    while (outstanding >= WINDOW) await new Promise((resolve) => wake = () => resolve(undefined));
    outstanding++;
    publish().then(() => done(), done);
  }
  while (outstanding > 0) await new Promise((resolve) => wake = () => resolve(undefined));
  if (failure !== undefined) throw failure;
}

/**
 * Runs `count` publishes at `rate` messages per second: a burst of rate / 100 every 10 ms,
 * not waiting for the bursts before (at most WINDOW outstanding).
 *
 * @param {number} count
 * @param {() => Promise<unknown>} publish
 * @param {number} rate
 * @returns {Promise<void>}
 */
export async function paced(count, publish, rate) {
  const burst = Math.max(1, Math.round(rate / 100));
  const start = performance.now();
  /** @type {Set<Promise<unknown>>} */
  const outstanding = new Set();
  /** @type {unknown} */
  let failure;
  for (let sent = 0; sent < count;) {
    const n = Math.min(burst, count - sent, WINDOW - outstanding.size);
    for (let i = 0; i < n; i++) {
      /** @type {Promise<unknown>} */
      const operation = publish().catch((error) => failure ??= error)
        .finally(() => outstanding.delete(operation));
      outstanding.add(operation);
    }
    sent += n;
    const wait = start + (sent / rate) * 1000 - performance.now();
    if (wait > 0 || n === 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 1)));
    }
  }
  await Promise.all(outstanding);
  if (failure !== undefined) throw failure;
}
