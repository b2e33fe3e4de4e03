/**
 * Reading the PEM files of `--cafile`, `--cert`, `--key`; a missing file is mosquitto's
 * "Problem setting TLS options" error.
 *
 * @module
 */
import { failure } from "./_errors.ts";

/** The text of a PEM file. */
export async function readPem(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "File not found"
      : (error as Error).message;
    throw failure(`Error: Problem setting TLS options: ${reason}: "${path}".`, 1, {
      cause: error,
    });
  }
}
