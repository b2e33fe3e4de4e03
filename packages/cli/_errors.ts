/**
 * The two ways a command fails: bad arguments (a usage error, exit 1 and a pointer to
 * `--help`, as mosquitto_pub and mosquitto_sub do) and a run-time failure with its own exit
 * code and one line for stderr.
 *
 * Their texts are lines for the terminal in mosquitto's words, its periods and lowercase
 * starts included ("unsupported URL scheme."), so that scripts matching them keep working;
 * {@linkcode usage} and {@linkcode failure} make them, rather than error messages in the
 * library's style.
 *
 * @module
 */

/** The command line is wrong; the message is mosquitto-style ("Invalid QoS given: 3."). */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A run-time failure: `line` goes to stderr as is, and the process exits with `exitCode`. */
export class CommandError extends Error {
  /** The process exit code. */
  readonly exitCode: number;

  /** Creates the error. */
  constructor(line: string, exitCode: number, options: { cause?: unknown } = {}) {
    super(line, options);
    this.name = "CommandError";
    this.exitCode = exitCode;
  }
}

/** A usage error with mosquitto's `text` (printed after "Error: "). */
export function usage(text: string): UsageError {
  return new UsageError(text);
}

/** A run-time failure: `line` for stderr, `exitCode` for the process. */
export function failure(
  line: string,
  exitCode: number,
  options: { cause?: unknown } = {},
): CommandError {
  return new CommandError(line, exitCode, options);
}
