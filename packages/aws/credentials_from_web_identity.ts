/**
 * Temporary credentials from STS `AssumeRoleWithWebIdentity`, for a role that trusts an
 * OpenID Connect token in a file (EKS service accounts, GitHub Actions, other OIDC issuers).
 *
 * @module
 */
import { type CredentialsProvider, CredentialsUnavailableError } from "./credentials.ts";
import { hostEnv, readTextFile } from "./_host.ts";
import { stsCredentials, stsEndpoint } from "./_sts.ts";

/** Options for {@linkcode credentialsFromWebIdentity}. */
export interface CredentialsFromWebIdentityOptions {
  /** Path of the token file; default `AWS_WEB_IDENTITY_TOKEN_FILE`. Read on every call. */
  tokenFile?: string;
  /** The role to assume; default `AWS_ROLE_ARN`. */
  roleArn?: string;
  /** The session name; default `AWS_ROLE_SESSION_NAME`, else `tern-<milliseconds>`. */
  roleSessionName?: string;
  /**
   * The STS endpoint URL; default `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL`, then
   * `https://sts.<region>.amazonaws.com` when `AWS_REGION` / `AWS_DEFAULT_REGION` is set,
   * else the global `https://sts.amazonaws.com`.
   */
  endpoint?: string;
  /** How long to wait for STS; default 10000 ms. */
  timeoutMs?: number;
  /** Reads one variable; defaults to the runtime's environment. */
  env?: (name: string) => string | undefined;
  /** The clock that expiries are checked against; default `() => new Date()`. */
  now?: () => Date;
}

/**
 * Exchanges a web identity token for temporary credentials with STS
 * `AssumeRoleWithWebIdentity` (an unsigned query-API POST; the token is the proof). The token
 * file is read again on every call, since issuers rotate it. Rejects with
 * {@linkcode CredentialsUnavailableError} when no token file or role is configured.
 *
 * @example Assume a role with a token from an OIDC issuer (a local STS stand-in here)
 * ```ts
 * import { credentialsFromWebIdentity } from "@tern/aws";
 *
 * const tokenFile = await Deno.makeTempFile();
 * await Deno.writeTextFile(tokenFile, "eyJhbGciOi...");
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   new Response(
 *     "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>" +
 *       "<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>" +
 *       "<SessionToken>token</SessionToken><Expiration>2100-01-01T00:00:00Z</Expiration>" +
 *       "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
 *   ));
 * const provider = credentialsFromWebIdentity({
 *   tokenFile,
 *   roleArn: "arn:aws:iam::123456789012:role/device",
 *   endpoint: `http://127.0.0.1:${server.addr.port}`,
 * });
 * console.log((await provider()).accessKeyId); // "ASIAEXAMPLE"
 * await server.shutdown();
 * await Deno.remove(tokenFile);
 * ```
 */
export function credentialsFromWebIdentity(
  options: CredentialsFromWebIdentityOptions = {},
): CredentialsProvider {
  const env = options.env ?? hostEnv;
  const now = options.now ?? (() => new Date());
  return async ({ signal } = {}) => {
    const tokenFile = options.tokenFile ?? env("AWS_WEB_IDENTITY_TOKEN_FILE");
    const roleArn = options.roleArn ?? env("AWS_ROLE_ARN");
    if (!tokenFile) {
      throw new CredentialsUnavailableError(
        "Cannot assume a role with a web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set",
      );
    }
    if (!roleArn) {
      throw new CredentialsUnavailableError(
        "Cannot assume a role with a web identity: AWS_ROLE_ARN is not set",
      );
    }
    const action = `Cannot assume role ${roleArn} with a web identity`;
    let token: string;
    try {
      token = (await readTextFile(tokenFile)).trim();
    } catch (error) {
      throw new Error(`${action}: cannot read token file ${tokenFile}`, { cause: error });
    }
    const body = new URLSearchParams({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: roleArn,
      RoleSessionName: options.roleSessionName ?? env("AWS_ROLE_SESSION_NAME") ??
        `tern-${now().getTime()}`,
      WebIdentityToken: token,
    });
    return await stsCredentials(options.endpoint ?? stsEndpoint(env), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body,
      signal,
      timeoutMs: options.timeoutMs ?? 10_000,
    }, action);
  };
}
