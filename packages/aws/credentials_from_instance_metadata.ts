/**
 * Credentials of an EC2 instance's IAM role from the instance metadata service, IMDSv2.
 *
 * @module
 */
import { type CredentialsProvider, CredentialsUnavailableError } from "./credentials.ts";
import { type EnvReader, hostEnv } from "./_host.ts";
import { credentialsFromJson, fetchWithTimeout } from "./_fetch_credentials.ts";

/** Options for {@linkcode credentialsFromInstanceMetadata}. */
export interface CredentialsFromInstanceMetadataOptions {
  /**
   * The metadata service; default `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else
   * `http://[fd00:ec2::254]` when `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` is `IPv6`, else
   * `http://169.254.169.254`.
   */
  endpoint?: string;
  /** How long to wait for each request; default 1000 ms, as in the AWS SDKs. */
  timeoutMs?: number;
  /** Reads one variable; defaults to the runtime's environment. */
  env?: (name: string) => string | undefined;
  /** The clock that expiries are checked against; default `() => new Date()`. */
  now?: () => Date;
}

/** Session token lifetime asked for: six hours, the maximum and what the SDKs ask. */
const TOKEN_TTL_SECONDS = "21600";
const CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";

function metadataEndpoint(env: EnvReader): string {
  const endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint) return endpoint;
  const mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
  return mode?.toLowerCase() === "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
}

/**
 * Fetches the instance role's credentials with IMDSv2: `PUT /latest/api/token` (header
 * `X-aws-ec2-metadata-token-ttl-seconds`) for a session token, then, with the token in
 * `X-aws-ec2-metadata-token`, `GET /latest/meta-data/iam/security-credentials/` for the role
 * name and `GET …/security-credentials/<role>` for the credentials. There is no IMDSv1
 * fallback. Rejects with {@linkcode CredentialsUnavailableError} when
 * `AWS_EC2_METADATA_DISABLED` is `true`, when the service cannot be reached (not on EC2),
 * or when the instance has no role.
 *
 * @example The three requests against a local stand-in for the metadata service
 * ```ts
 * import { credentialsFromInstanceMetadata } from "@tern/aws";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const path = new URL(request.url).pathname;
 *   if (request.method === "PUT") return new Response("session-token");
 *   if (path.endsWith("/security-credentials/")) return new Response("device-role");
 *   return Response.json({
 *     Code: "Success",
 *     AccessKeyId: "ASIAEXAMPLE",
 *     SecretAccessKey: "secret",
 *     Token: "token",
 *     Expiration: "2100-01-01T00:00:00Z",
 *   });
 * });
 * const provider = credentialsFromInstanceMetadata({
 *   endpoint: `http://127.0.0.1:${server.addr.port}`,
 * });
 * console.log((await provider()).accessKeyId); // "ASIAEXAMPLE"
 * await server.shutdown();
 * ```
 */
export function credentialsFromInstanceMetadata(
  options: CredentialsFromInstanceMetadataOptions = {},
): CredentialsProvider {
  const env = options.env ?? hostEnv;
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 1000;
  return async ({ signal } = {}) => {
    if (env("AWS_EC2_METADATA_DISABLED")?.toLowerCase() === "true") {
      throw new CredentialsUnavailableError(
        "Cannot fetch instance credentials: AWS_EC2_METADATA_DISABLED is true",
      );
    }
    const base = (options.endpoint ?? metadataEndpoint(env)).replace(/\/+$/, "");
    const tokenResponse = await fetchWithTimeout(`${base}/latest/api/token`, {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS },
      signal,
      timeoutMs,
    }).catch((error) => {
      signal?.throwIfAborted();
      throw new CredentialsUnavailableError(
        `Cannot fetch instance credentials: no metadata service at ${base} (${error.message})`,
      );
    });
    const token = await read(tokenResponse, "the session token");
    const get = async (path: string, what: string) => {
      const response = await fetchWithTimeout(`${base}${path}`, {
        headers: { "x-aws-ec2-metadata-token": token },
        signal,
        timeoutMs,
      }).catch((error) => {
        signal?.throwIfAborted();
        throw new Error(`Cannot fetch instance credentials: cannot reach ${base}`, {
          cause: error,
        });
      });
      if (response.status === 404) {
        await response.body?.cancel();
        throw new CredentialsUnavailableError(
          `Cannot fetch instance credentials: the instance has no ${what} (404)`,
        );
      }
      return await read(response, what);
    };
    const role = (await get(CREDENTIALS_PATH, "IAM role")).split("\n")[0].trim();
    if (!role) {
      throw new CredentialsUnavailableError(
        "Cannot fetch instance credentials: the instance has no IAM role",
      );
    }
    const text = await get(`${CREDENTIALS_PATH}${encodeURIComponent(role)}`, "role credentials");
    let body: { Code?: string; Message?: string } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      // credentialsFromJson() reports what is wrong with the answer.
    }
    if (body?.Code !== undefined && body.Code !== "Success") {
      throw new Error(
        `Cannot fetch instance credentials: role ${role} answered Code ${body.Code}${
          body?.Message ? `: ${body.Message}` : ""
        }`,
      );
    }
    return credentialsFromJson(text, `the instance metadata of role ${role}`, now());
  };
}

async function read(response: Response, what: string): Promise<string> {
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `Cannot fetch instance credentials: ${what} request answered HTTP ${response.status}`,
    );
  }
  return text;
}
