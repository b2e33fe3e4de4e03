/**
 * A clock for tests that moves only when told to.
 *
 * @module
 */
import type { Clock } from "@tern/agent";

/**
 * A {@linkcode Clock} under the test's control: `now()` starts at 0 and timers fire only
 * inside {@linkcode TestClock.advance} and {@linkcode TestClock.runAll}, in deadline order,
 * with the real event loop given a turn after each (so in-memory I/O, promise continuations
 * and the timers they set run before the next one fires).
 *
 * @example A timer fires when the clock passes its deadline
 * ```ts
 * import { createTestClock } from "@tern/testing";
 *
 * const clock = createTestClock();
 * let fired = 0;
 * clock.setTimeout(() => fired++, 1000);
 * await clock.advance(999);
 * console.log(fired); // 0
 * await clock.advance(1);
 * console.log(fired, clock.now()); // 1 1000
 * ```
 */
export interface TestClock extends Clock {
  /** How many timers are set and not yet fired or cleared. */
  readonly pending: number;
  /**
   * Moves the time forward by `ms`, firing each timer that falls due on the way, at its
   * deadline; resolves once the event loop had a turn after the last.
   */
  advance(ms: number): Promise<void>;
  /**
   * Fires timers, moving the time to each deadline, until none is left. A timer that keeps
   * setting the next (a connected client's keep-alive) never ends: after `limit` timers
   * (default 1000) it rejects.
   */
  runAll(options?: { limit?: number }): Promise<void>;
}

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

// The real timer: a test clock still lets the runtime's own I/O happen between its timers.
const realTimeout = globalThis.setTimeout;

/** One real turn of the event loop: I/O callbacks, microtasks and what they queue. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => realTimeout(resolve, 0));
}

/**
 * Creates a {@linkcode TestClock} at time 0. Pass it as `MqttClientOptions.clock`:
 * keep-alive, every deadline, the reconnect delay and offline expiry follow it.
 *
 * @example A minute of keep-alive in a moment
 * ```ts
 * import { MqttClient } from "@tern/agent";
 * import { createTestBroker, createTestClock } from "@tern/testing";
 *
 * await using broker = createTestBroker();
 * const clock = createTestClock();
 * const client = new MqttClient({ transport: broker.connect(), keepAlive: 30, clock });
 * await client.start();
 * await clock.advance(60_000);
 * console.log(broker.received.filter(({ packet }) => packet.type === "pingreq").length); // 2
 * await client.stop();
 * ```
 */
export function createTestClock(): TestClock {
  let time = 0;
  let seq = 0;
  const timers = new Map<number, Timer>();
  const earliest = (until: number): [number, Timer] | undefined => {
    let found: [number, Timer] | undefined;
    for (const entry of timers) {
      const timer = entry[1];
      if (timer.at > until) continue;
      if (
        !found || timer.at < found[1].at || (timer.at === found[1].at && timer.seq < found[1].seq)
      ) {
        found = entry;
      }
    }
    return found;
  };
  const fire = ([id, timer]: [number, Timer]) => {
    timers.delete(id);
    time = Math.max(time, timer.at);
    timer.callback();
  };
  return {
    now: () => time,
    setTimeout(callback, ms) {
      const id = ++seq;
      timers.set(id, { at: time + Math.max(0, Number(ms) || 0), seq: id, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    get pending() {
      return timers.size;
    },
    async advance(ms) {
      if (!(ms >= 0)) {
        throw new RangeError(`Cannot advance the test clock: ms must be >= 0, got ${ms}`);
      }
      const until = time + ms;
      await settle();
      for (let next = earliest(until); next; next = earliest(until)) {
        fire(next);
        await settle();
      }
      time = until;
      await settle();
    },
    async runAll({ limit = 1000 } = {}) {
      await settle();
      for (let fired = 0; timers.size > 0; fired++) {
        if (fired >= limit) {
          throw new Error(
            `Cannot run all timers: still ${timers.size} set after ${limit} fired ` +
              "(a timer that sets the next, such as a connected client's keep-alive?)",
          );
        }
        fire(earliest(Infinity)!);
        await settle();
      }
    },
  };
}
