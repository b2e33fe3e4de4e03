/**
 * HTTP and JSON plumbing shared by the container, instance-metadata and process providers.
 *
 * @module
 */
import type { AwsCredentials } from "./credentials.ts";

/** `fetch` that gives up after `timeoutMs` or when `signal` aborts. */
export function fetchWithTimeout(
  url: string,
  init: RequestInit & { timeoutMs: number; signal?: AbortSignal },
): Promise<Response> {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  return fetch(url, { ...init, signal });
}

/**
 * Reads the `{AccessKeyId, SecretAccessKey, Token | SessionToken, Expiration}` JSON that the
 * container endpoint, the instance metadata service and `credential_process` all answer
 * with. `what` names the source in error messages.
 */
export function credentialsFromJson(
  text: string,
  what: string,
  now: Date,
): AwsCredentials {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Cannot read AWS credentials from ${what}: the answer is not JSON`);
  }
  if (typeof body !== "object" || body === null) {
    throw new Error(`Cannot read AWS credentials from ${what}: the answer is not a JSON object`);
  }
  const accessKeyId = body.AccessKeyId;
  const secretAccessKey = body.SecretAccessKey;
  const sessionToken = body.Token ?? body.SessionToken;
  if (typeof accessKeyId !== "string" || accessKeyId === "") {
    throw new Error(`Cannot read AWS credentials from ${what}: AccessKeyId is missing`);
  }
  if (typeof secretAccessKey !== "string" || secretAccessKey === "") {
    throw new Error(`Cannot read AWS credentials from ${what}: SecretAccessKey is missing`);
  }
  if (sessionToken !== undefined && typeof sessionToken !== "string") {
    throw new Error(`Cannot read AWS credentials from ${what}: the session token is not a string`);
  }
  const credentials: AwsCredentials = { accessKeyId, secretAccessKey };
  if (sessionToken) credentials.sessionToken = sessionToken;
  if (body.Expiration !== undefined) {
    credentials.expiration = parseExpiration(body.Expiration, what);
    if (credentials.expiration <= now) {
      throw new Error(
        `Cannot read AWS credentials from ${what}: they expired at ${body.Expiration}`,
      );
    }
  }
  return credentials;
}

/** An ISO 8601 expiry such as `2026-12-06T23:00:00Z`, as a `Date`. */
export function parseExpiration(value: unknown, what: string): Date {
  const date = typeof value === "string" ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new Error(
      `Cannot read AWS credentials from ${what}: Expiration ${JSON.stringify(value)} is not a date`,
    );
  }
  return date;
}
