/**
 * Where a command's output goes: stdout as bytes (payloads are not always text), stderr as
 * lines, stdin as a stream. Commands take an {@linkcode Io} so the process is swappable.
 *
 * @module
 */

/** A command's standard streams and environment. */
export interface Io {
  /** Writes to stdout; resolves once written, so output keeps its order and backpressure. */
  write(data: Uint8Array | string): Promise<void>;
  /** Writes one line to stderr. */
  error(line: string): void;
  /** The process's stdin. */
  readonly stdin: ReadableStream<Uint8Array>;
  /** Reads an environment variable. */
  env(name: string): string | undefined;
}

const encoder = new TextEncoder();

/** The Io of this Deno process. */
export function denoIo(): Io {
  // Writes queue behind each other, so callers that do not wait still print in order.
  let last = Promise.resolve();
  const writeAll = async (bytes: Uint8Array) => {
    for (let written = 0; written < bytes.length;) {
      written += await Deno.stdout.write(bytes.subarray(written));
    }
  };
  return {
    write(data) {
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      last = last.then(() => writeAll(bytes));
      return last;
    },
    error(line) {
      const bytes = encoder.encode(line + "\n");
      for (let written = 0; written < bytes.length;) {
        written += Deno.stderr.writeSync(bytes.subarray(written));
      }
    },
    get stdin() {
      return Deno.stdin.readable;
    },
    env: (name) => Deno.env.get(name),
  };
}
