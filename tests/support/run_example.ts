/** Runs one of the `examples/` scripts as a subprocess, as a reader would run it. */
import { fileURLToPath } from "node:url";

/** How an example run ended. */
export interface ExampleRun {
  /** The exit code. */
  code: number;
  /** All it printed to stdout. */
  stdout: string;
  /** All it printed to stderr. */
  stderr: string;
}

/** Options for {@linkcode runExample}. */
export interface RunExampleOptions {
  /** Command-line arguments after the script. */
  args?: string[];
  /** Variables set on top of the inherited environment ("" blanks one). */
  env?: Record<string, string>;
}

/** Runs `example` with `deno run -A` to the end and collects its exit code and output. */
export async function runExample(
  example: URL,
  options: RunExampleOptions = {},
): Promise<ExampleRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fileURLToPath(example), ...options.args ?? []],
    env: options.env,
    // Kills a hung example so that the test fails instead of hanging.
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
