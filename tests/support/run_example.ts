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

/** An example running in the background, read line by line as it prints. */
export interface RunningExample extends AsyncDisposable {
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Resolves with the first stdout line (already printed or still to come) that matches. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Resolves once the example exited. */
  readonly done: Promise<ExampleRun>;
}

/** Starts `example` with `deno run -A`; disposing it kills the example if still running. */
export function startExample(example: URL, options: RunExampleOptions = {}): RunningExample {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 120_000);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fileURLToPath(example), ...options.args ?? []],
    env: options.env,
    stdout: "piped",
    stderr: "piped",
    signal: controller.signal,
  }).spawn();
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const readStdout = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
    if (rest) lines.push(rest);
  })();
  const stderr = new Response(child.stderr).text();
  const done = (async () => {
    const status = await child.status;
    await readStdout;
    clearTimeout(timer);
    return { code: status.code, stdout: lines.join("\n"), stderr: await stderr };
  })();
  return {
    lines,
    done,
    waitFor(pattern) {
      const line = lines.find((l) => pattern.test(l));
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        done.then(({ stdout, stderr }) =>
          reject(new Error(`The example exited before printing ${pattern}:\n${stdout}\n${stderr}`))
        );
      });
    },
    async [Symbol.asyncDispose]() {
      try {
        child.kill();
      } catch {
        // Already exited.
      }
      await done;
    },
  };
}
