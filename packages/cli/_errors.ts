/**
 * The two ways a command fails: bad arguments (a usage error, exit 1 and a pointer to
 * `--help`, as mosquitto_pub and mosquitto_sub do) and a run-time failure with its own exit
 * code and one line for stderr.
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
