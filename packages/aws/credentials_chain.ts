/**
 * Providers tried in order, a cache that refreshes before expiry, and the AWS SDKs'
 * default chain built from both.
 *
 * @module
 */
import {
  type AwsCredentials,
  credentialsFromEnv,
  type CredentialsProvider,
  CredentialsUnavailableError,
} from "./credentials.ts";
import { credentialsFromProfile } from "./credentials_from_profile.ts";
import { credentialsFromWebIdentity } from "./credentials_from_web_identity.ts";
import { credentialsFromContainer } from "./credentials_from_container.ts";
import { credentialsFromInstanceMetadata } from "./credentials_from_instance_metadata.ts";
import { hostEnv } from "./_host.ts";

/**
 * Tries `providers` in order and answers with the first that has credentials. A provider
 * that rejects with {@linkcode CredentialsUnavailableError} (not configured here) is
 * skipped; any other rejection ends the search, since a configured source that fails should
 * not silently give way to another identity. When none applies, the rejection lists why.
 *
 * @example Fall through to a second source
 * ```ts
 * import { credentialsChain, credentialsFromEnv } from "@tern/aws";
 *
 * const provider = credentialsChain([
 *   credentialsFromEnv({ env: () => undefined }),
 *   () => Promise.resolve({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }),
 * ]);
 * console.log((await provider()).accessKeyId); // "AKIDEXAMPLE"
 * ```
 */
export function credentialsChain(providers: readonly CredentialsProvider[]): CredentialsProvider {
  return async (options = {}) => {
    const reasons: string[] = [];
    for (const provider of providers) {
      try {
        return await provider(options);
      } catch (error) {
        if (!(error instanceof CredentialsUnavailableError)) throw error;
        reasons.push(error.message.replace(/^Cannot [^:]*: /, ""));
      }
    }
    throw new CredentialsUnavailableError(
      `Cannot find AWS credentials: ${reasons.join("; ") || "no providers"}`,
    );
  };
}

/** Options for {@linkcode cachedCredentials}. */
export interface CachedCredentialsOptions {
  /** How long before `expiration` to fetch new credentials; default 300000 ms (5 minutes). */
  refreshBeforeMs?: number;
  /** The clock; default `() => new Date()`. */
  now?: () => Date;
}

/**
 * Keeps temporary credentials until `refreshBeforeMs` before they expire, then asks
 * `provider` again. Concurrent callers share one request. When a refresh fails while the
 * old credentials have not expired yet, the old ones are returned (the next call tries
 * again). Credentials without an `expiration` are not kept: they come from variables or
 * files, which are read again on every call so that edits take effect.
 *
 * @example Fetch once, reuse until close to expiry
 * ```ts
 * import { cachedCredentials } from "@tern/aws";
 *
 * let fetched = 0;
 * const provider = cachedCredentials(() => {
 *   fetched++;
 *   return Promise.resolve({
 *     accessKeyId: "ASIAEXAMPLE",
 *     secretAccessKey: "secret",
 *     expiration: new Date(Date.now() + 3_600_000),
 *   });
 * });
 * await provider();
 * await provider();
 * console.log(fetched); // 1
 * ```
 */
export function cachedCredentials(
  provider: CredentialsProvider,
  options: CachedCredentialsOptions = {},
): CredentialsProvider {
  const refreshBeforeMs = options.refreshBeforeMs ?? 300_000;
  const now = options.now ?? (() => new Date());
  let cached: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  const refresh = () => {
    pending ??= provider().then((fresh) => {
      cached = fresh.expiration ? fresh : undefined;
      return fresh;
    }).finally(() => pending = undefined);
    return pending;
  };
  return async ({ signal } = {}) => {
    signal?.throwIfAborted();
    const time = now().getTime();
    if (cached?.expiration && time < cached.expiration.getTime() - refreshBeforeMs) return cached;
    const stale = cached;
    const fresh = refresh().catch((error) => {
      if (stale?.expiration && time < stale.expiration.getTime()) return stale;
      throw error;
    });
    if (!signal) return await fresh;
    return await new Promise<AwsCredentials>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      fresh.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  };
}

/** Options for {@linkcode defaultCredentials}. */
export interface DefaultCredentialsOptions {
  /** The shared-file profile; default `AWS_PROFILE`, else `default`. */
  profile?: string;
  /** Reads one variable; defaults to the runtime's environment. */
  env?: (name: string) => string | undefined;
  /** The clock for expiries and refresh; default `() => new Date()`. */
  now?: () => Date;
  /** How long before expiry to refresh; default 300000 ms. */
  refreshBeforeMs?: number;
}

/**
 * The AWS SDKs' default credential chain, cached and refreshed before expiry:
 *
 * 1. environment variables ({@linkcode credentialsFromEnv}), skipped when a profile is
 *    named (`profile` or `AWS_PROFILE`), as the SDK for JavaScript does;
 * 2. the shared config and credentials files ({@linkcode credentialsFromProfile});
 * 3. STS web identity ({@linkcode credentialsFromWebIdentity});
 * 4. the container endpoint ({@linkcode credentialsFromContainer});
 * 5. the EC2 instance metadata service, IMDSv2 ({@linkcode credentialsFromInstanceMetadata}).
 *
 * @example Resolve from whatever the environment offers
 * ```ts
 * import { defaultCredentials } from "@tern/aws";
 *
 * const vars: Record<string, string> = {
 *   AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
 *   AWS_SECRET_ACCESS_KEY: "secret",
 * };
 * const provider = defaultCredentials({ env: (name) => vars[name] });
 * console.log((await provider()).accessKeyId); // "AKIDEXAMPLE"
 * ```
 */
export function defaultCredentials(options: DefaultCredentialsOptions = {}): CredentialsProvider {
  const env = options.env ?? hostEnv;
  const { now } = options;
  const fromEnv = credentialsFromEnv({ env });
  const chain = credentialsChain([
    (request) => {
      const profile = options.profile ?? env("AWS_PROFILE");
      if (profile) {
        return Promise.reject(
          new CredentialsUnavailableError(
            `Cannot read AWS credentials: environment keys are skipped as profile "${profile}" is named`,
          ),
        );
      }
      return fromEnv(request);
    },
    credentialsFromProfile({ profile: options.profile, env, now }),
    credentialsFromWebIdentity({ env, now }),
    credentialsFromContainer({ env, now }),
    credentialsFromInstanceMetadata({ env, now }),
  ]);
  return cachedCredentials(chain, { now, refreshBeforeMs: options.refreshBeforeMs });
}
