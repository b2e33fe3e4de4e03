/**
 * Temporary credentials for a role, from STS `AssumeRole` signed with other credentials:
 * the `role_arn` + `source_profile` / `credential_source` profiles of the shared files.
 *
 * @module
 */
import type { CredentialsProvider } from "./credentials.ts";
import { hostEnv } from "./_host.ts";
import { presignUrl } from "./presign_url.ts";
import { stsCredentials, stsEndpoint, stsSigningRegion } from "./_sts.ts";

/** Options for {@linkcode credentialsFromAssumeRole}. */
export interface CredentialsFromAssumeRoleOptions {
  /** The role to assume, `arn:aws:iam::<account>:role/<name>`. */
  roleArn: string;
  /** Signs the request: the identity that is allowed to assume the role. */
  source: CredentialsProvider;
  /** The session name; default `tern-<milliseconds>`. */
  roleSessionName?: string;
  /** The external id the role's trust policy asks for, if any. */
  externalId?: string;
  /** How long the credentials last, 900–43200 s; STS's default (3600) when absent. */
  durationSeconds?: number;
  /** Region of the STS endpoint; default `AWS_REGION`, else the global endpoint. */
  region?: string;
  /** The STS endpoint URL; default as for {@linkcode credentialsFromWebIdentity}. */
  endpoint?: string;
  /** How long to wait for STS; default 10000 ms. */
  timeoutMs?: number;
  /** Reads one variable; defaults to the runtime's environment. */
  env?: (name: string) => string | undefined;
  /** The signing clock; default `() => new Date()`. */
  now?: () => Date;
}

/**
 * Assumes a role with STS `AssumeRole`: a `GET` of the query API, presigned with SigV4
 * (service `sts`) with the `source` credentials, whose session token is signed with it.
 * The answer is the same `Credentials` XML as for web identity.
 *
 * @example Assume a role with long-term keys (a local STS stand-in here)
 * ```ts
 * import { credentialsFromAssumeRole } from "@tern/aws";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   new Response(
 *     "<AssumeRoleResponse><AssumeRoleResult><Credentials>" +
 *       "<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>" +
 *       "<SessionToken>token</SessionToken><Expiration>2100-01-01T00:00:00Z</Expiration>" +
 *       "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
 *   ));
 * const provider = credentialsFromAssumeRole({
 *   roleArn: "arn:aws:iam::123456789012:role/device-admin",
 *   source: () => Promise.resolve({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "s" }),
 *   endpoint: `http://127.0.0.1:${server.addr.port}`,
 * });
 * console.log((await provider()).accessKeyId); // "ASIAEXAMPLE"
 * await server.shutdown();
 * ```
 */
export function credentialsFromAssumeRole(
  options: CredentialsFromAssumeRoleOptions,
): CredentialsProvider {
  const env = options.env ?? hostEnv;
  const now = options.now ?? (() => new Date());
  if (typeof options.roleArn !== "string" || !options.roleArn.startsWith("arn:")) {
    throw new TypeError(
      `Cannot assume role: roleArn must be an ARN, got ${JSON.stringify(options.roleArn)}`,
    );
  }
  const { durationSeconds } = options;
  if (
    durationSeconds !== undefined &&
    !(Number.isInteger(durationSeconds) && durationSeconds >= 900 && durationSeconds <= 43200)
  ) {
    throw new RangeError(
      `Cannot assume role: durationSeconds must be an integer from 900 to 43200, got ${durationSeconds}`,
    );
  }
  return async ({ signal } = {}) => {
    const action = `Cannot assume role ${options.roleArn}`;
    const credentials = await options.source({ signal });
    const endpoint = options.endpoint ?? stsEndpoint(env, options.region);
    const url = new URL(endpoint);
    url.searchParams.set("Action", "AssumeRole");
    url.searchParams.set("Version", "2011-06-15");
    url.searchParams.set("RoleArn", options.roleArn);
    url.searchParams.set("RoleSessionName", options.roleSessionName ?? `tern-${now().getTime()}`);
    if (options.externalId !== undefined) url.searchParams.set("ExternalId", options.externalId);
    if (durationSeconds !== undefined) {
      url.searchParams.set("DurationSeconds", String(durationSeconds));
    }
    const signed = await presignUrl({
      url,
      region: stsSigningRegion(endpoint, env, options.region),
      service: "sts",
      credentials,
      date: now(),
      expiresIn: 300,
    });
    return await stsCredentials(signed, {
      signal,
      timeoutMs: options.timeoutMs ?? 10_000,
    }, action);
  };
}
