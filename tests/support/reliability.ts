/**
 * Fault tests report their figures here; `deno task reliability` collects them into
 * tests/RELIABILITY.md. Outside that task (no TERN_RELIABILITY_OUT) recording does nothing.
 */

/** The figures of one fault test. */
export interface FaultFigures {
  /** The test's name, as `Deno.test` shows it. */
  test: string;
  /** The fault injected, in a few words ("broker SIGKILL + restart"). */
  fault: string;
  /** The QoS of the stream measured. */
  qos: 0 | 1 | 2;
  /** Messages handed to the publishing client. */
  sent: number;
  /** Arrivals at the subscriber, duplicates included. */
  received: number;
  /** Distinct messages that never arrived. */
  lost: number;
  /** Arrivals beyond the first of the same message. */
  duplicated: number;
  /** Milliseconds from the fault to the client's next accepted connection (CONNACK). */
  healMs?: number;
  /** How many times the client reconnected during the test. */
  reconnects?: number;
  /** What a reader needs to interpret the row (e.g. who caused a loss). */
  note?: string;
}

/** The environment variable naming the JSON-lines file that figures are appended to. */
export const RELIABILITY_OUT = "TERN_RELIABILITY_OUT";

/** Appends `figures` to the file named by TERN_RELIABILITY_OUT, when it is set. */
export async function recordFigures(figures: FaultFigures): Promise<void> {
  const out = Deno.env.get(RELIABILITY_OUT);
  if (!out) return;
  await Deno.writeTextFile(out, JSON.stringify(figures) + "\n", { append: true });
}
