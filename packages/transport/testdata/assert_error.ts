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
