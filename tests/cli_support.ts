/**
 * Runs `tern` (`deno run -A packages/cli/main.ts`) and mosquitto's clients as subprocesses,
 * and tells when a subscriber's SUBSCRIBE reached the broker (from the broker's log), so a
 * test publishes only once someone listens.
 */
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import type { Broker } from "./support/broker.ts";

/** The path of the `tern` executable script. */
export const TERN_MAIN = fileURLToPath(new URL("../packages/cli/main.ts", import.meta.url));

/** What a finished process left behind. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running process whose output is collected. */
export interface Running {
  /** Resolves when the process exits. */
  readonly done: Promise<Run>;
  /** Sends a signal (SIGTERM by default) and waits for the exit. */
  stop(signal?: Deno.Signal): Promise<Run>;
  /** Resolves once stdout contains `text`; rejects if the process exits first. */
  printed(text: string): Promise<void>;
}

/** Options of a run. */
export interface RunOptions {
  /** Text written to the process's stdin, which is then closed. */
  stdin?: string;
  /** Environment variables to add. */
  env?: Record<string, string>;
}

function start(command: string, args: string[], options: RunOptions = {}): Running {
  const child = new Deno.Command(command, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    writer.write(new TextEncoder().encode(options.stdin)).then(() => writer.close());
  }
  let stdout = "";
  let changed = Promise.withResolvers<void>();
  const reading = (async () => {
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      stdout += text;
      changed.resolve();
      changed = Promise.withResolvers<void>();
    }
  })();
  const done = (async () => {
    const [status, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
      reading,
    ]);
    return { code: status.code, stdout, stderr };
  })();
  let exited = false;
  done.then(() => {
    exited = true;
    changed.resolve();
  });
  return {
    done,
    async printed(text: string) {
      while (!stdout.includes(text)) {
        if (exited) {
          throw new Error(
            `Cannot see "${text}": the process exited: ${JSON.stringify(await done)}`,
          );
        }
        await changed.promise;
      }
    },
    stop(signal: Deno.Signal = "SIGTERM") {
      if (!exited) child.kill(signal);
      return done;
    },
  };
}

/** Starts `tern args...`. */
export function spawnTern(args: string[], options?: RunOptions): Running {
  return start(Deno.execPath(), ["run", "-A", TERN_MAIN, ...args], options);
}

/** Runs `tern args...` to its end. */
export function tern(args: string[], options?: RunOptions): Promise<Run> {
  return spawnTern(args, options).done;
}

/** Starts mosquitto_pub or mosquitto_sub. */
export function spawnMosquitto(
  tool: "mosquitto_pub" | "mosquitto_sub",
  args: string[],
  options?: RunOptions,
): Running {
  return start(tool, args, options);
}

/** Runs mosquitto_pub or mosquitto_sub to its end. */
export function mosquitto(
  tool: "mosquitto_pub" | "mosquitto_sub",
  args: string[],
  options?: RunOptions,
): Promise<Run> {
  return spawnMosquitto(tool, args, options).done;
}

/** The broker config line that logs every SUBSCRIBE, which {@linkcode subscribed} reads. */
export const LOG_SUBSCRIBE = "log_type subscribe";

/**
 * Resolves once the broker (started with {@linkcode LOG_SUBSCRIBE}) logged `times` (default 1)
 * subscriptions of `clientId` to `filter` (the log survives a restart); rejects if `running`
 * exits first or after 10 s.
 */
export async function subscribed(
  broker: Broker,
  clientId: string,
  filter: string,
  options: { running?: Running; times?: number } = {},
): Promise<void> {
  const { running, times = 1 } = options;
  let exited: Run | undefined;
  running?.done.then((run) => (exited = run));
  const deadline = Date.now() + 10_000;
  while (logged(await broker.log(), clientId, filter) < times) {
    if (exited) {
      throw new Error(
        `Cannot wait for ${clientId}'s subscription: it exited: ${JSON.stringify(exited)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(`Cannot wait for ${clientId}'s subscription to ${filter}: not in the log`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function logged(log: string, clientId: string, filter: string): number {
  // mosquitto 2.0 logs "<time>: <client id> <qos> <filter>" for each subscription (without
  // a newline after it, so the next entry may follow on the same line).
  return [0, 1, 2].reduce(
    (sum, qos) => sum + log.split(`: ${clientId} ${qos} ${filter}`).length - 1,
    0,
  );
}

/** A run of `tern pub|sub` beside mosquitto_pub|sub with the same arguments. */
export interface Case {
  name: string;
  tool: "pub" | "sub";
  args: string[];
  code: number;
  /** tern's whole stderr. */
  stderr: string;
  /** mosquitto's stderr is the same, word for word. */
  sameAsMosquitto?: boolean;
  /** mosquitto's exit codes when they vary from run to run (default: `[code]`). */
  mosquittoCodes?: number[];
}

/** Runs each case with tern and with mosquitto: equal exit codes, tern's stderr as given. */
export async function check(cases: Case[]): Promise<void> {
  for (const { name, tool, args, code, stderr, sameAsMosquitto, mosquittoCodes } of cases) {
    const [ours, theirs] = await Promise.all([
      tern([tool, ...args]),
      mosquitto(tool === "pub" ? "mosquitto_pub" : "mosquitto_sub", args),
    ]);
    assert.ok(
      (mosquittoCodes ?? [code]).includes(theirs.code),
      `${name}: mosquitto_${tool} exits ${theirs.code}: ${theirs.stderr}`,
    );
    assert.deepStrictEqual(ours, { code, stdout: "", stderr }, name);
    if (sameAsMosquitto) assert.equal(theirs.stderr, stderr, name);
  }
}
