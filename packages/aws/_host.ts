/**
 * The few things the credential providers need from the host: environment variables,
 * the home directory, text files (through `_files.ts`, the package's one file API choice)
 * and a shell. The `node:` modules (which Deno, Node and Bun all provide) are imported
 * dynamically, so a browser bundle that never reads a file loads none.
 *
 * @module
 */
import { readTextFile } from "./_files.ts";

export { readTextFile };

/** Reads one environment variable. */
export type EnvReader = (name: string) => string | undefined;

type HostGlobal = {
  Deno?: { env: { get(name: string): string | undefined } };
  process?: { env: Record<string, string | undefined> };
};

/** Reads `name` from `Deno.env`, or `process.env` on Node and Bun. */
export function hostEnv(name: string): string | undefined {
  const global = globalThis as HostGlobal;
  if (global.Deno) return global.Deno.env.get(name);
  if (global.process) return global.process.env[name];
  throw new TypeError(
    "Cannot read AWS credentials: this runtime has no environment variables; pass `env` or a provider",
  );
}

/** The user's home directory, as the AWS SDKs find it: HOME, USERPROFILE, then the OS. */
export async function homeDirectory(env: EnvReader): Promise<string> {
  const fromEnv = env("HOME") ?? env("USERPROFILE") ??
    (env("HOMEDRIVE") && env("HOMEPATH") ? `${env("HOMEDRIVE")}${env("HOMEPATH")}` : undefined);
  if (fromEnv) return fromEnv;
  const os = await import("node:os");
  return os.homedir();
}

/** The text of the file at `path`, or `undefined` when there is no such file. */
export async function readTextFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readTextFile(path);
  } catch (error) {
    // Deno's NotFound and Node's error both carry the POSIX code.
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
}

/** What a finished shell command printed and how it exited. */
export interface ShellResult {
  /** The exit code; 0 is success. */
  code: number;
  /** Standard output, as text. */
  stdout: string;
  /** Standard error, as text. */
  stderr: string;
}

/**
 * Runs `command` through the platform shell (`/bin/sh -c` or `cmd.exe /c`), as the AWS
 * SDK for JavaScript runs `credential_process`.
 */
export async function runShell(
  command: string,
  options: { signal?: AbortSignal; timeoutMs: number },
): Promise<ShellResult> {
  const { exec } = await import("node:child_process");
  return await new Promise((resolve, reject) => {
    exec(
      command,
      { signal: options.signal, timeout: options.timeoutMs, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}
