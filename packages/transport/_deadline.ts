import { TransportError } from "./errors.ts";

/** How long `open()` waits by default before it gives up. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** Options for {@linkcode openWithin}. */
export interface DeadlineOptions {
  /** The caller's signal; aborting it rejects with its reason. */
  signal?: AbortSignal;
  /** Milliseconds (checked by the adapter) before a `timeout` {@linkcode TransportError}. */
  timeoutMs?: number;
  /** Completes "Cannot …" in the timeout message, e.g. "connect to 127.0.0.1:1883". */
  action: string;
}

/**
 * Runs a connection attempt that must finish before the caller's signal aborts and before
 * the connect timeout: the attempt receives a signal that fires on either, and must release
 * whatever it holds when it does. A value that arrives after the deadline is disposed, so
 * nothing leaks when the runtime cannot cancel a step.
 */
export async function openWithin<T>(
  options: DeadlineOptions,
  attempt: (signal: AbortSignal) => Promise<T>,
  dispose: (value: T) => void,
): Promise<T> {
  const { signal, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, action } = options;
  signal?.throwIfAborted();
  const controller = new AbortController();
  let rejectEarly!: (reason: unknown) => void;
  const early = new Promise<never>((_, reject) => (rejectEarly = reject));
  const stop = (reason: unknown) => {
    rejectEarly(reason);
    controller.abort(reason);
  };
  const onAbort = () => stop(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(
    () =>
      stop(
        new TransportError(`Cannot ${action}: timed out after ${timeoutMs} ms`, {
          code: "timeout",
        }),
      ),
    timeoutMs,
  );
  const attempted = attempt(controller.signal);
  try {
    return await Promise.race([attempted, early]);
  } catch (error) {
    attempted.then(dispose, () => {});
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}
