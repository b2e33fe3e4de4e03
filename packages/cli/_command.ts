/**
 * What a subcommand is, and the one place that turns its failures into stderr lines and
 * exit codes. A new subcommand is a file exporting a {@linkcode Command}, plus its line in
 * `commands.ts`.
 *
 * @module
 */
import { type CommandError, UsageError } from "./_errors.ts";
import { describeFailure } from "./_failure.ts";
import type { Io } from "./_io.ts";

/** A `tern` subcommand. */
export interface Command {
  /** The word after `tern`. */
  readonly name: string;
  /** One line for `tern --help`. */
  readonly summary: string;
  /** Runs with the arguments after the name; resolves with the exit code. */
  run(args: string[], io: Io): Promise<number>;
}

/** What a running command tells the error handler. */
export interface RunContext {
  /** Decides how a refused connection is worded (MQTT 3.1.1 return code or 5 reason). */
  protocolVersion: 3 | 4 | 5;
  /** `--quiet`: print no run-time errors. */
  quiet: boolean;
}

/**
 * Runs `body`: a {@linkcode UsageError} prints `Error: ...` and the `--help` hint (exit 1),
 * anything else becomes mosquitto's line and exit code (see `describeFailure`).
 */
export async function runCommand(
  name: string,
  io: Io,
  body: (context: RunContext) => Promise<number>,
): Promise<number> {
  const context: RunContext = { protocolVersion: 4, quiet: false };
  try {
    return await body(context);
  } catch (error) {
    // stdout's reader left (`tern sub | head -1`): done, quietly, as mosquitto_sub exits 0.
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    if (error instanceof UsageError) {
      io.error(`Error: ${error.message}`);
      io.error(`Use 'tern ${name} --help' to see usage.`);
      return 1;
    }
    const failure: CommandError = describeFailure(error, context.protocolVersion);
    if (!context.quiet) io.error(failure.message);
    return failure.exitCode;
  }
}
