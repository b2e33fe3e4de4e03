/**
 * Credentials from a profile of the shared AWS files, `~/.aws/credentials` and
 * `~/.aws/config`: static keys, a web identity role, or a `credential_process`.
 *
 * @module
 */
import {
  type AwsCredentials,
  credentialsFromEnv,
  type CredentialsProvider,
  CredentialsUnavailableError,
} from "./credentials.ts";
import { credentialsFromWebIdentity } from "./credentials_from_web_identity.ts";
import { credentialsFromAssumeRole } from "./credentials_from_assume_role.ts";
import { credentialsFromContainer } from "./credentials_from_container.ts";
import { credentialsFromInstanceMetadata } from "./credentials_from_instance_metadata.ts";
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
 * 1. `role_arn` with `source_profile` (another profile, resolved the same way, or this
 *    profile's own keys) or `credential_source` (`Environment`, `Ec2InstanceMetadata`,
 *    `EcsContainer`): {@linkcode credentialsFromAssumeRole}, with `role_session_name`,
 *    `external_id`, `duration_seconds` and `region`. `mfa_serial` is refused (no one to
 *    ask for the code), and so is a `source_profile` loop.
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
  const staticKeys = (get: (key: string) => string | undefined): AwsCredentials | undefined => {
    const accessKeyId = get("aws_access_key_id");
    const secretAccessKey = get("aws_secret_access_key");
    if (!accessKeyId || !secretAccessKey) return undefined;
    const sessionToken = get("aws_session_token");
    return sessionToken
      ? { accessKeyId, secretAccessKey, sessionToken }
      : { accessKeyId, secretAccessKey };
  };
  /** `chain` lists the profiles that led here through `source_profile`, to stop a cycle. */
  const resolve = async (
    profile: string,
    chain: string[],
    signal: AbortSignal | undefined,
  ): Promise<AwsCredentials> => {
    const { settings, files } = await profileSettings(options, env, profile);
    if (!settings) {
      const message = `Cannot read AWS credentials: profile "${profile}" is not in ${files}`;
      if (chain.length === 0) throw new CredentialsUnavailableError(message);
      throw new Error(`${message} (the source_profile of "${chain.at(-1)}")`);
    }
    const get = (key: string) => settings.get(key) || undefined;
    const roleArn = get("role_arn");
    const sourceProfile = get("source_profile");
    const credentialSource = get("credential_source");
    if (roleArn && (sourceProfile || credentialSource)) {
      const action = `Cannot read AWS credentials from profile "${profile}"`;
      if (get("mfa_serial")) {
        throw new Error(`${action}: mfa_serial needs a token code, which Tern cannot ask for`);
      }
      let source: CredentialsProvider;
      if (sourceProfile === profile) {
        // A profile that is its own source signs with its own keys (as the SDKs do).
        const keys = staticKeys(get);
        if (!keys) throw new Error(`${action}: it is its own source_profile but has no keys`);
        source = () => Promise.resolve(keys);
      } else if (sourceProfile) {
        if (chain.includes(sourceProfile)) {
          throw new Error(
            `${action}: source_profile loops: ${[...chain, profile, sourceProfile].join(" -> ")}`,
          );
        }
        source = ({ signal } = {}) => resolve(sourceProfile, [...chain, profile], signal);
      } else if (credentialSource === "Environment") {
        source = credentialsFromEnv({ env });
      } else if (credentialSource === "Ec2InstanceMetadata") {
        source = credentialsFromInstanceMetadata({ env, now });
      } else if (credentialSource === "EcsContainer") {
        source = credentialsFromContainer({ env, now });
      } else {
        throw new TypeError(
          `${action}: credential_source must be Environment, Ec2InstanceMetadata or EcsContainer, not "${credentialSource}"`,
        );
      }
      const duration = get("duration_seconds");
      return await credentialsFromAssumeRole({
        roleArn,
        source,
        roleSessionName: get("role_session_name"),
        externalId: get("external_id"),
        durationSeconds: duration === undefined ? undefined : Number(duration),
        region: get("region"),
        env,
        now,
      })({ signal });
    }
    const keys = staticKeys(get);
    if (keys) return keys;
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
    const message =
      `Cannot read AWS credentials: profile "${profile}" in ${files} has no credentials`;
    if (chain.length === 0) throw new CredentialsUnavailableError(message);
    throw new Error(message);
  };
  return ({ signal } = {}) =>
    resolve(options.profile ?? env("AWS_PROFILE") ?? "default", [], signal);
}
