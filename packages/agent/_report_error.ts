/**
 * Reports an error thrown by user code (a listener, a message handler) without throwing it
 * at the caller, as EventTarget does. Where the runtime's `reportError` dispatches an
 * `error` event that a listener can cancel (Deno, browsers, Workers), it is used; elsewhere
 * the error is logged: Node has no `reportError`, and Bun's ends the process even when the
 * event is cancelled.
 */
export function reportError(error: unknown): void {
  const global = globalThis as { Bun?: unknown; reportError?: (error: unknown) => void };
  if (typeof global.reportError === "function" && global.Bun === undefined) {
    global.reportError(error);
  } else {
    console.error(error);
  }
}
