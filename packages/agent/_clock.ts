import type { Clock } from "./clock.ts";

// The session's clock: performance.now() (monotonic), read once per run of synchronous
// code and its microtasks. A burst of a thousand publish() calls costs one clock read
// rather than a thousand, and times only need to be as fine as the session's deadlines.
let clock = -1;
const tick = () => clock = -1;

/** Milliseconds on the monotonic clock, read again once the microtasks queued so far ran. */
export function now(): number {
  if (clock < 0) {
    clock = performance.now();
    queueMicrotask(tick);
  }
  return clock;
}

/** The system's clock: {@linkcode now}, and the runtime's timers. */
export const systemClock: Clock = Object.freeze({
  now,
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as number),
});
