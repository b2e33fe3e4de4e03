/**
 * AWS Signature Version 4 for query-string (presigned) requests, on WebCrypto alone.
 * Every step is exposed so tests can compare it with the official vectors.
 *
 * @module
 */

const encoder = new TextEncoder();

/** `hex(SHA-256(""))`, the payload hash of a request without a body. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Lowercase hex of `bytes`. */
export function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Lowercase hex of the SHA-256 of `text` (UTF-8). */
export async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** HMAC-SHA-256 of `text` (UTF-8) under `key`. */
export async function hmacSha256(
  key: Uint8Array | ArrayBuffer,
  text: string,
): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(text));
}

/** The SigV4 signing key: HMAC chain over date, region, service and "aws4_request". */
export async function signingKey(
  options: { secretAccessKey: string; dateStamp: string; region: string; service: string },
): Promise<ArrayBuffer> {
  const kDate = await hmacSha256(
    encoder.encode("AWS4" + options.secretAccessKey),
    options.dateStamp,
  );
  const kRegion = await hmacSha256(kDate, options.region);
  const kService = await hmacSha256(kRegion, options.service);
  return hmacSha256(kService, "aws4_request");
}

/**
 * RFC 3986 encoding as SigV4 wants it: unreserved characters `A-Z a-z 0-9 - _ . ~` stay,
 * every other UTF-8 byte becomes `%XX` with uppercase hex (so `/` is `%2F`, space `%20`).
 */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => "%" + char.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** `YYYYMMDD'T'HHMMSS'Z'` in UTC. */
export function amzDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("Cannot sign: the date is invalid");
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    throw new TypeError(`Cannot presign: malformed percent-encoding in "${text}"`, {
      cause: error,
    });
  }
}

/** Decoded name/value pairs of a raw query string (`+` is a literal plus, as in SigV4). */
function queryPairs(search: string): [string, string][] {
  const raw = search.startsWith("?") ? search.slice(1) : search;
  if (raw === "") return [];
  return raw.split("&").filter((part) => part !== "").map((part) => {
    const equals = part.indexOf("=");
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? "" : part.slice(equals + 1);
    return [decode(name), decode(value)];
  });
}

/** Encodes each pair and sorts by encoded name, then encoded value (byte order). */
export function canonicalQueryString(pairs: [string, string][]): string {
  const encoded = pairs.map(([name, value]) => [uriEncode(name), uriEncode(value)]);
  encoded.sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0);
  return encoded.map(([name, value]) => `${name}=${value}`).join("&");
}

/** Each path segment decoded and encoded once, so that equivalent spellings sign alike. */
function canonicalPath(pathname: string): string {
  return pathname.split("/").map((segment) => uriEncode(decode(segment))).join("/");
}

/** Credentials for signing. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What to presign. */
export interface PresignInput {
  url: URL;
  method: string;
  region: string;
  service: string;
  credentials: SigningCredentials;
  date: Date;
  expiresIn?: number;
  signSessionToken: boolean;
}

/** Every intermediate of a presigned request. */
export interface PresignSteps {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  url: string;
}

/** Computes a presigned URL, keeping each intermediate for inspection. */
export async function presignSteps(input: PresignInput): Promise<PresignSteps> {
  const { url, credentials, region, service } = input;
  const date = amzDate(input.date);
  const dateStamp = date.slice(0, 8);
  const scope = `${dateStamp}/${region}/${service}/aws4_request`;
  const pairs = queryPairs(url.search);
  pairs.push(
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${credentials.accessKeyId}/${scope}`],
    ["X-Amz-Date", date],
    ["X-Amz-SignedHeaders", "host"],
  );
  if (input.expiresIn !== undefined) pairs.push(["X-Amz-Expires", String(input.expiresIn)]);
  const token = credentials.sessionToken;
  if (token !== undefined && input.signSessionToken) pairs.push(["X-Amz-Security-Token", token]);
  const query = canonicalQueryString(pairs);
  const host = url.host.toLowerCase();
  const canonicalRequest = [
    input.method,
    canonicalPath(url.pathname),
    query,
    `host:${host}`,
    "",
    "host",
    EMPTY_SHA256,
  ].join("\n");
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    date,
    scope,
    await sha256Hex(canonicalRequest),
  ].join("\n");
  const key = await signingKey({
    secretAccessKey: credentials.secretAccessKey,
    dateStamp,
    region,
    service,
  });
  const signature = hex(await hmacSha256(key, stringToSign));
  let signed = `${url.protocol}//${host}${url.pathname}?${query}&X-Amz-Signature=${signature}`;
  // AWS IoT's WebSocket gateway wants the token outside the signature [aws_iot.md §4.5 step 8].
  if (token !== undefined && !input.signSessionToken) {
    signed += `&X-Amz-Security-Token=${uriEncode(token)}`;
  }
  return { canonicalRequest, stringToSign, signature, url: signed };
}
