/**
 * The STS query API as the credential providers use it: where it is, and its XML answers.
 *
 * @module
 */
import type { AwsCredentials } from "./credentials.ts";
import type { EnvReader } from "./_host.ts";
import { fetchWithTimeout, parseExpiration } from "./_fetch_credentials.ts";

/** The STS endpoint the SDKs would use with these variables (or `region`). */
export function stsEndpoint(env: EnvReader, region?: string): string {
  const override = env("AWS_ENDPOINT_URL_STS") || env("AWS_ENDPOINT_URL");
  if (override) return override;
  const chosen = region || env("AWS_REGION") || env("AWS_DEFAULT_REGION");
  if (!chosen) return "https://sts.amazonaws.com";
  return `https://sts.${chosen}.amazonaws.com${chosen.startsWith("cn-") ? ".cn" : ""}`;
}

/** The region a request to `endpoint` is signed for: the global endpoint's is us-east-1. */
export function stsSigningRegion(endpoint: string, env: EnvReader, region?: string): string {
  const fromHost = /^sts\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(endpoint).hostname);
  return fromHost?.[1] ?? (region || env("AWS_REGION") || env("AWS_DEFAULT_REGION") ||
    "us-east-1");
}

const XML_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** The text of the first `<name>…</name>` in `xml`, entities decoded. */
function xmlText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1].replace(
    /&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g,
    (_, entity: string) =>
      XML_ENTITIES[entity] ??
        String.fromCodePoint(
          entity.startsWith("#x") ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)),
        ),
  );
}

/**
 * Sends one STS request and reads the `Credentials` element of its answer, or throws with
 * the `ErrorResponse`'s `Code` and `Message`. `action` starts the error messages.
 */
export async function stsCredentials(
  url: string,
  init: RequestInit & { signal?: AbortSignal; timeoutMs: number },
  action: string,
): Promise<AwsCredentials> {
  const response = await fetchWithTimeout(url, init).catch((error) => {
    init.signal?.throwIfAborted();
    throw new Error(`${action}: cannot reach STS at ${new URL(url).origin}`, { cause: error });
  });
  const xml = await response.text();
  if (!response.ok) {
    const code = xmlText(xml, "Code") ?? `HTTP ${response.status}`;
    const message = xmlText(xml, "Message");
    throw new Error(`${action}: STS answered ${code}${message ? `: ${message}` : ""}`);
  }
  const credentialsXml = /<Credentials>([\s\S]*?)<\/Credentials>/.exec(xml)?.[1] ?? "";
  const accessKeyId = xmlText(credentialsXml, "AccessKeyId");
  const secretAccessKey = xmlText(credentialsXml, "SecretAccessKey");
  const sessionToken = xmlText(credentialsXml, "SessionToken");
  const expiration = xmlText(credentialsXml, "Expiration");
  if (!accessKeyId || !secretAccessKey || !sessionToken || !expiration) {
    throw new Error(`${action}: the STS answer has no complete Credentials element`);
  }
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiration: parseExpiration(expiration, "STS"),
  };
}
