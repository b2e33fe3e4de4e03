/**
 * Drives a numbered message stream for fault tests: a bounded window of concurrent publishes,
 * a hook to inject a fault at a given point, and a wait that fails loudly with the figures.
 */

/** Options for {@linkcode streamMessages}. */
export interface StreamOptions {
  /** Sequence numbers `first` to `first + count - 1` are published. */
  count: number;
  /** The first sequence number. Default 0. */
  first?: number;
  /** At most this many publishes wait for their completion at once. Default 64. */
  window?: number;
  /** Publishes message `seq`; resolves when the client reports it complete. */
  publish(seq: number): Promise<unknown>;
  /** Called once `index` publishes (counted from 0) were started; may inject a fault. */
  onStarted?(index: number): void | Promise<void>;
}

/** What {@linkcode streamMessages} saw. */
export interface StreamResult {
  /** Publishes that resolved. */
  completed: number;
  /** Publishes that rejected, with the first few errors. */
  failed: number;
  /** Up to 5 rejection reasons, for the failure message. */
  errors: unknown[];
}

/** Publishes the stream with at most `window` publishes pending; every promise is awaited. */
export async function streamMessages(options: StreamOptions): Promise<StreamResult> {
  const { count, first = 0, window = 64, publish, onStarted } = options;
  const result: StreamResult = { completed: 0, failed: 0, errors: [] };
  const pending = new Set<Promise<void>>();
  for (let index = 0; index < count; index++) {
    while (pending.size >= window) await Promise.race(pending);
    const task = publish(first + index).then(
      () => {
        result.completed++;
      },
      (error) => {
        result.failed++;
        if (result.errors.length < 5) result.errors.push(error);
      },
    ).finally(() => pending.delete(task));
    pending.add(task);
    await onStarted?.(index);
  }
  await Promise.all(pending);
  return result;
}

/** Options for {@linkcode waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Poll interval in milliseconds. Default 20. */
  intervalMs?: number;
  /** Describes the state when giving up, for the error message. */
  describe?: () => string;
}

/** Resolves once `condition()` holds; rejects with `describe()` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, options: WaitForOptions): Promise<void> {
  const { timeoutMs, intervalMs = 20, describe = () => "" } = options;
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) {
      throw new Error(`Condition not met within ${timeoutMs} ms: ${describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
