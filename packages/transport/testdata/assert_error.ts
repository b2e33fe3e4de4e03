import assert from "node:assert/strict";
import { TransportError, type TransportErrorCode } from "../errors.ts";

/** Awaits `promise`, which must reject with a {@linkcode TransportError} of `code`. */
export async function assertTransportError(
  promise: Promise<unknown>,
  code: TransportErrorCode,
): Promise<TransportError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof TransportError, `expected a TransportError, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

/**
 * Opens a connection and runs `use` on it; one of the two must fail with a
 * {@linkcode TransportError} of `code`. Under TLS 1.3 a server judges the client
 * certificate after the client's handshake is done, so its refusal can reach the client
 * during `open()` or on the first read, depending on timing.
 */
export async function assertRefused<C extends { close(): Promise<void> }>(
  open: () => Promise<C>,
  use: (connection: C) => Promise<unknown>,
  code: TransportErrorCode,
): Promise<TransportError> {
  let connection: C;
  try {
    connection = await open();
  } catch (error) {
    return assertTransportError(Promise.reject(error), code);
  }
  try {
    return await assertTransportError(use(connection), code);
  } finally {
    await connection.close();
  }
}
