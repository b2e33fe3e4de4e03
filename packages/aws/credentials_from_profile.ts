/**
 * Credentials from a profile of the shared AWS files, `~/.aws/credentials` and
 * `~/.aws/config`: static keys, a web identity role, or a `credential_process`.
 *
 * @module
 */
import {
  type AwsCredentials,
  type CredentialsProvider,
  CredentialsUnavailableError,
} from "./credentials.ts";
import { credentialsFromWebIdentity } from "./credentials_from_web_identity.ts";
import { type EnvReader, homeDirectory, hostEnv, readTextFileIfExists, runShell } from "./_host.ts";
import { parseIni } from "./_ini.ts";
import { credentialsFromJson } from "./_fetch_credentials.ts";

/** Options for {@linkcode credentialsFromProfile}. */
export interface CredentialsFromProfileOptions {
  /** The profile; default `AWS_PROFILE`, else `default`. */
  profile?: string;
  /** The credentials file; default `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`. */
  credentialsFile?: string;
  /** The config file; default `AWS_CONFIG_FILE`, else `~/.aws/config`. */
  configFile?: string;
  /** How long `credential_process` may run; default 30000 ms. */
  processTimeoutMs?: number;
  /** Reads one variable; defaults to the runtime's environment. */
  env?: (name: string) => string | undefined;
  /** The clock that expiries are checked against; default `() => new Date()`. */
  now?: () => Date;
}

/** The merged settings of `profile`: the config file's, overridden by the credentials file's. */
async function profileSettings(
  options: CredentialsFromProfileOptions,
  env: EnvReader,
  profile: string,
): Promise<{ settings?: Map<string, string>; files: string }> {
  const home = async () => await homeDirectory(env);
  const credentialsFile = options.credentialsFile ?? env("AWS_SHARED_CREDENTIALS_FILE") ??
    `${await home()}/.aws/credentials`;
  const configFile = options.configFile ?? env("AWS_CONFIG_FILE") ?? `${await home()}/.aws/config`;
  const files = `${credentialsFile} or ${configFile}`;
  const [credentialsText, configText] = await Promise.all([
    readTextFileIfExists(credentialsFile),
    readTextFileIfExists(configFile),
  ]);
  const credentialsSections = parseIni(credentialsText ?? "");
  const configSections = parseIni(configText ?? "");
  // The credentials file names sections plainly; the config file writes `[profile name]`,
  // except for `[default]`.
  const fromConfig = configSections.get(`profile ${profile}`) ??
    (profile === "default" ? configSections.get("default") : undefined);
  const fromCredentials = credentialsSections.get(profile);
  if (!fromConfig && !fromCredentials) return { files };
  return { settings: new Map([...(fromConfig ?? []), ...(fromCredentials ?? [])]), files };
}

async function fromProcess(
  command: string,
  profile: string,
  options: CredentialsFromProfileOptions,
  now: Date,
  signal: AbortSignal | undefined,
): Promise<AwsCredentials> {
  const action = `Cannot read AWS credentials from the credential_process of profile "${profile}"`;
  const timeoutMs = options.processTimeoutMs ?? 30_000;
  const result = await runShell(command, { signal, timeoutMs }).catch((error) => {
    signal?.throwIfAborted();
    throw new Error(
      `${action}: ${error.killed ? `it ran longer than ${timeoutMs} ms` : error.message}`,
      { cause: error },
    );
  });
  if (result.code !== 0) {
    const stderr = result.stderr.trim().slice(0, 500);
    throw new Error(`${action}: it exited with code ${result.code}${stderr ? `: ${stderr}` : ""}`);
  }
  let version: unknown;
  try {
    version = JSON.parse(result.stdout)?.Version;
  } catch {
    // credentialsFromJson() reports the malformed output.
  }
  if (version !== undefined && version !== 1) {
    throw new Error(`${action}: output Version is ${JSON.stringify(version)}, not 1`);
  }
  const credentials = credentialsFromJson(result.stdout, `credential_process "${command}"`, now);
  if (version === undefined) throw new Error(`${action}: output has no "Version": 1`);
  return credentials;
}

/**
 * Reads credentials from a profile of the shared files. Within the profile, in the order
 * the AWS SDKs use:
 *
 * 1. `role_arn` with `source_profile` or `credential_source` (STS AssumeRole) is refused
 *    with an error saying so; Tern does not sign STS calls.
 * 2. `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`).
 * 3. `web_identity_token_file` + `role_arn` (+ `role_session_name`):
 *    {@linkcode credentialsFromWebIdentity}.
 * 4. `credential_process`: a shell command printing
 *    `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`.
 *
 * Files are read again on every call. Rejects with {@linkcode CredentialsUnavailableError}
 * when the profile is in neither file or holds none of these settings.
 *
 * @example Static keys from a credentials file
 * ```ts
 * import { credentialsFromProfile } from "@tern/aws";
 *
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(
 *   file,
 *   "[device]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n",
 * );
 * const provider = credentialsFromProfile({
 *   profile: "device",
 *   credentialsFile: file,
 *   configFile: `${file}.missing`,
 * });
 * console.log((await provider()).accessKeyId); // "AKIDEXAMPLE"
 * await Deno.remove(file);
 * ```
 */
export function credentialsFromProfile(
  options: CredentialsFromProfileOptions = {},
): CredentialsProvider {
  const env = options.env ?? hostEnv;
  const now = options.now ?? (() => new Date());
  return async ({ signal } = {}) => {
    const profile = options.profile ?? env("AWS_PROFILE") ?? "default";
    const { settings, files } = await profileSettings(options, env, profile);
    if (!settings) {
      throw new CredentialsUnavailableError(
        `Cannot read AWS credentials: profile "${profile}" is not in ${files}`,
      );
    }
    const get = (key: string) => settings.get(key) || undefined;
    const roleArn = get("role_arn");
    if (roleArn && (get("source_profile") || get("credential_source"))) {
      throw new Error(
        `Cannot read AWS credentials from profile "${profile}": role_arn with source_profile or credential_source (STS AssumeRole) is not supported; use credential_process or web_identity_token_file`,
      );
    }
    const accessKeyId = get("aws_access_key_id");
    const secretAccessKey = get("aws_secret_access_key");
    if (accessKeyId && secretAccessKey) {
      const sessionToken = get("aws_session_token");
      return sessionToken
        ? { accessKeyId, secretAccessKey, sessionToken }
        : { accessKeyId, secretAccessKey };
    }
    const tokenFile = get("web_identity_token_file");
    if (tokenFile && roleArn) {
      return await credentialsFromWebIdentity({
        tokenFile,
        roleArn,
        roleSessionName: get("role_session_name"),
        env,
        now,
      })({ signal });
    }
    const command = get("credential_process");
    if (command) return await fromProcess(command, profile, options, now(), signal);
    throw new CredentialsUnavailableError(
      `Cannot read AWS credentials: profile "${profile}" in ${files} has no credentials`,
    );
  };
}
