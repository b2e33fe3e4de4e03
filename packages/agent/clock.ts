/**
 * Where the client reads the time and sets its timers: keep-alive, CONNACK, PINGRESP and
 * acknowledgement deadlines, operation and request timeouts, the reconnect delay and the
 * offline queue's expiry all follow it. The default is the system's (`performance.now()`,
 * `setTimeout`); a test passes a controllable one (`@tern/testing`'s `createTestClock()`)
 * so that minutes of reconnecting run in milliseconds.
 *
 * @example A clock that only moves when told to
 * ```ts
 * import type { Clock } from "@tern/agent";
 *
 * let time = 0;
 * const timers = new Map<number, { at: number; callback: () => void }>();
 * let next = 0;
 * const clock: Clock = {
 *   now: () => time,
 *   setTimeout: (callback, ms) => (timers.set(++next, { at: time + ms, callback }), next),
 *   clearTimeout: (id) => void timers.delete(id as number),
 * };
 * let fired = false;
 * clock.setTimeout(() => fired = true, 1000);
 * time = 1000;
 * for (const [id, timer] of timers) if (timer.at <= time) timers.delete(id), timer.callback();
 * console.log(fired); // true
 * ```
 */
export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `callback` once, `ms` milliseconds from now; returns a handle for clearTimeout. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer set by this clock's setTimeout (undefined is ignored). */
  clearTimeout(handle: unknown): void;
}
