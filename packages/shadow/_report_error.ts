/**
 * Reports an error thrown by user code (a listener, a message handler) without throwing it
 * at the caller. It is logged with `console.error` and never rethrown or handed to the
 * runtime's `reportError`: on Deno an uncancelled `reportError` ends the process, and a
 * listener's mistake must not end the application or stop the shadow (as in `@tern/agent`,
 * whose handler errors go to its `error` event or, without a listener, to `console.error`).
 */
export function reportError(error: unknown): void {
  console.error(error);
}
