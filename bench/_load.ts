/**
 * How the agent benchmarks drive a client: `count` publishes with at most 1000 outstanding
 * (many concurrent callers, without MQTT.js running out of packet ids, which it does past
 * 65535 QoS 1 publishes in flight, or piling up drain listeners), either as fast as the
 * client goes or paced to a rate.
 *
 * @module
 */

/** Publishes outstanding at most, for every client. */
export const WINDOW = 1000;

/** Runs `count` publishes as fast as they complete, at most WINDOW at a time. */
export async function windowed(count: number, publish: () => Promise<unknown>): Promise<void> {
  let outstanding = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const done = (error?: unknown) => {
    if (error !== undefined) failure ??= error;
    outstanding--;
    wake?.();
    wake = undefined;
  };
  for (let i = 0; i < count; i++) {
    while (outstanding >= WINDOW) await new Promise<void>((resolve) => wake = resolve);
    outstanding++;
    publish().then(() => done(), done);
  }
  while (outstanding > 0) await new Promise<void>((resolve) => wake = resolve);
  if (failure !== undefined) throw failure;
}

/**
 * Runs `count` publishes at `rate` messages per second: a burst of rate / 100 every 10 ms,
 * not waiting for the bursts before (at most WINDOW outstanding).
 */
export async function paced(
  count: number,
  publish: () => Promise<unknown>,
  rate: number,
): Promise<void> {
  const burst = Math.max(1, Math.round(rate / 100));
  const start = performance.now();
  const outstanding = new Set<Promise<unknown>>();
  let failure: unknown;
  for (let sent = 0; sent < count;) {
    const n = Math.min(burst, count - sent, WINDOW - outstanding.size);
    for (let i = 0; i < n; i++) {
      const operation: Promise<unknown> = publish().catch((error) => failure ??= error)
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
