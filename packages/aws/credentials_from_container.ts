/**
 * Credentials from the container credentials endpoint: ECS task roles
 * (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`) and EKS Pod Identity or any local agent
 * (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with an authorization token).
 *
 * @module
 */
import { type CredentialsProvider, CredentialsUnavailableError } from "./credentials.ts";
import { hostEnv, readTextFile } from "./_host.ts";
import { credentialsFromJson, fetchWithTimeout } from "./_fetch_credentials.ts";

/** Options for {@linkcode credentialsFromContainer}. */
export interface CredentialsFromContainerOptions {
  /**
   * Where a relative URI is resolved; default `http://169.254.170.2`, the ECS task
   * metadata address.
   */
  relativeUriBase?: string;
  /** How long to wait for the endpoint; default 1000 ms, as in the AWS SDKs. */
  timeoutMs?: number;
  /** Reads one variable; defaults to the runtime's environment. */
  env?: (name: string) => string | undefined;
  /** The clock that expiries are checked against; default `() => new Date()`. */
  now?: () => Date;
}

/** Hosts a full URI may name over plain http (the SDKs' list; loopback plus ECS and EKS). */
function mayUsePlainHttp(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1" ||
    host === "169.254.170.2" || host === "169.254.170.23" || host === "fd00:ec2::23";
}

function containerUrl(
  env: (name: string) => string | undefined,
  relativeUriBase: string,
): string {
  const relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  if (relative) return new URL(relative, relativeUriBase).href;
  const full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!full) {
    throw new CredentialsUnavailableError(
      "Cannot fetch container credentials: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
    );
  }
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    throw new TypeError(
      `Cannot fetch container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI "${full}" is not a URL`,
    );
  }
  if (url.protocol === "https:") return url.href;
  if (url.protocol === "http:" && mayUsePlainHttp(url.hostname)) return url.href;
  throw new TypeError(
    `Cannot fetch container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or name a loopback, ECS or EKS address, not "${url.host}"`,
  );
}

async function authorization(
  env: (name: string) => string | undefined,
): Promise<string | undefined> {
  const file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  let token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  if (file) {
    try {
      token = (await readTextFile(file)).trim();
    } catch (error) {
      throw new Error(
        `Cannot fetch container credentials: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ${file}`,
        { cause: error },
      );
    }
  }
  if (token !== undefined && /[\r\n]/.test(token)) {
    throw new TypeError(
      "Cannot fetch container credentials: the authorization token contains a line break",
    );
  }
  return token || undefined;
}

/**
 * Fetches credentials from the container endpoint with a GET. The URL is
 * `http://169.254.170.2` + `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (ECS), or else
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI`, which must be https or name a loopback, ECS or EKS
 * address. The `Authorization` header is the content of
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every call, as EKS rotates it) or
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN`. Rejects with {@linkcode CredentialsUnavailableError}
 * when neither URI variable is set.
 *
 * @example Credentials from a local agent
 * ```ts
 * import { credentialsFromContainer } from "@tern/aws";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   Response.json({
 *     AccessKeyId: "ASIAEXAMPLE",
 *     SecretAccessKey: "secret",
 *     Token: "token",
 *     Expiration: "2100-01-01T00:00:00Z",
 *   }));
 * const vars: Record<string, string> = {
 *   AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${server.addr.port}/creds`,
 * };
 * const provider = credentialsFromContainer({ env: (name) => vars[name] });
 * console.log((await provider()).sessionToken); // "token"
 * await server.shutdown();
 * ```
 */
export function credentialsFromContainer(
  options: CredentialsFromContainerOptions = {},
): CredentialsProvider {
  const env = options.env ?? hostEnv;
  const now = options.now ?? (() => new Date());
  return async ({ signal } = {}) => {
    const url = containerUrl(env, options.relativeUriBase ?? "http://169.254.170.2");
    const token = await authorization(env);
    const response = await fetchWithTimeout(url, {
      headers: token ? { authorization: token } : {},
      signal,
      timeoutMs: options.timeoutMs ?? 1000,
    }).catch((error) => {
      signal?.throwIfAborted();
      throw new Error(`Cannot fetch container credentials: cannot reach ${url}`, { cause: error });
    });
    const text = await response.text();
    if (!response.ok) {
      let detail = text.slice(0, 200);
      try {
        const body = JSON.parse(text);
        if (body && (body.code || body.message)) {
          detail = [body.code, body.message].filter(Boolean).join(": ");
        }
      } catch {
        // Not JSON; the raw text is the best detail there is.
      }
      throw new Error(
        `Cannot fetch container credentials: ${url} answered HTTP ${response.status}${
          detail ? `: ${detail}` : ""
        }`,
      );
    }
    return credentialsFromJson(text, "the container endpoint", now());
  };
}
