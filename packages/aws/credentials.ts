/**
 * AWS credentials and where they come from.
 *
 * @module
 */
import { hostEnv } from "./_host.ts";

/** Long-term or temporary AWS credentials. */
export interface AwsCredentials {
  /** The access key id, e.g. `AKIA…` or `ASIA…`. */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
  /** The session token of temporary (STS) credentials. */
  sessionToken?: string;
  /** When temporary credentials stop working; absent for long-term keys. */
  expiration?: Date;
}

/**
 * A provider found nothing to offer: it is not configured here (no variables, no profile,
 * not on EC2). {@linkcode credentialsChain} moves on to the next provider on this error
 * only; any other failure (a configured source that answered with an error) ends the chain.
 *
 * @example Tell "not configured" from "failed"
 * ```ts
 * import { credentialsFromEnv, CredentialsUnavailableError } from "@tern/aws";
 *
 * const error = await credentialsFromEnv({ env: () => undefined })().catch((e) => e);
 * console.log(error instanceof CredentialsUnavailableError); // true
 * ```
 */
export class CredentialsUnavailableError extends Error {
  /** Creates the error with its message. */
  constructor(message: string) {
    super(message);
    this.name = "CredentialsUnavailableError";
  }
}

/**
 * Supplies credentials on demand. It is called before every connection attempt, so a
 * provider that refreshes temporary credentials keeps reconnects working.
 */
export type CredentialsProvider = (options?: { signal?: AbortSignal }) => Promise<AwsCredentials>;

/** Options for {@linkcode credentialsFromEnv}. */
export interface CredentialsFromEnvOptions {
  /** Reads one variable; defaults to `Deno.env.get`, or `process.env` on Node and Bun. */
  env?: (name: string) => string | undefined;
}

/**
 * Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (if set) `AWS_SESSION_TOKEN` each
 * time it is called, so updated variables are picked up on the next connection attempt.
 *
 * @example Read credentials from a custom source of variables
 * ```ts
 * import { credentialsFromEnv } from "@tern/aws";
 *
 * const vars: Record<string, string> = {
 *   AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
 *   AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
 * };
 * const provider = credentialsFromEnv({ env: (name) => vars[name] });
 * console.log((await provider()).accessKeyId); // "AKIDEXAMPLE"
 * ```
 */
export function credentialsFromEnv(options: CredentialsFromEnvOptions = {}): CredentialsProvider {
  const env = options.env ?? hostEnv;
  return () => {
    try {
      const accessKeyId = env("AWS_ACCESS_KEY_ID");
      const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
      const sessionToken = env("AWS_SESSION_TOKEN");
      if (!accessKeyId) {
        throw new CredentialsUnavailableError(
          "Cannot read AWS credentials: AWS_ACCESS_KEY_ID is not set",
        );
      }
      if (!secretAccessKey) {
        throw new CredentialsUnavailableError(
          "Cannot read AWS credentials: AWS_SECRET_ACCESS_KEY is not set",
        );
      }
      return Promise.resolve(
        sessionToken
          ? { accessKeyId, secretAccessKey, sessionToken }
          : { accessKeyId, secretAccessKey },
      );
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
