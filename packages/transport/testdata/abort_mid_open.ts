import assert from "node:assert/strict";

/**
 * Starts `open` against a loopback listener that accepts the connection and never answers,
 * aborts once the connection is accepted, and asserts that `open` rejects with exactly the
 * abort reason: the adapter gives up mid-handshake and reports the caller's reason.
 */
export async function assertAbortsMidOpen(
  open: (port: number, signal: AbortSignal) => Promise<unknown>,
): Promise<void> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const controller = new AbortController();
  const reason = new Error("user cancelled");
  const opening = open(listener.addr.port, controller.signal);
  const conn = await accepted;
  try {
    controller.abort(reason);
    await assert.rejects(opening, (error) => error === reason);
  } finally {
    conn.close();
  }
}
