/**
 * The optional SDK metrics AWS IoT reads from the CONNECT username.
 *
 * @module
 */

/** The version of `@tern/aws`, reported by default in SDK metrics. */
export const VERSION = "0.1.0";

/** What to report to AWS IoT in the username's query string. */
export interface SdkMetrics {
  /** SDK name; default `Tern`. */
  sdk?: string;
  /** SDK version; default the version of `@tern/aws`. */
  version?: string;
  /** Runtime or platform, e.g. `Deno`; left out when not given. */
  platform?: string;
  /** More key/value pairs, sent as `Metadata=(key=value;key=value)`. */
  metadata?: Record<string, string>;
}

/** Whether a host is an AWS endpoint, the only kind that gets metrics. */
export function isAwsHost(host: string): boolean {
  return /\.amazonaws\.com(?:\.cn)?$/i.test(host);
}

/**
 * Appends SDK metrics to a CONNECT username: after `?`, or after `&` when the username
 * already has a query string. Keys already present are left as they are.
 *
 * @example
 * ```ts
 * import { withSdkMetrics } from "@tern/aws";
 *
 * console.log(withSdkMetrics("", { sdk: "Tern", version: "1.0.0" }));
 * // "?SDK=Tern&Version=1.0.0"
 * console.log(withSdkMetrics("me?x-amz-customauthorizer-name=auth", { platform: "Deno" }));
 * // "me?x-amz-customauthorizer-name=auth&SDK=Tern&Version=0.1.0&Platform=Deno"
 * ```
 */
export function withSdkMetrics(username: string, metrics: SdkMetrics = {}): string {
  const question = username.indexOf("?");
  const existing = new Set(
    question === -1
      ? []
      : username.slice(question + 1).split("&").map((pair) => pair.split("=")[0]),
  );
  const entries: [string, string][] = [
    ["SDK", encodeURIComponent(metrics.sdk ?? "Tern")],
    ["Version", encodeURIComponent(metrics.version ?? VERSION)],
  ];
  if (metrics.platform !== undefined) {
    entries.push(["Platform", encodeURIComponent(metrics.platform)]);
  }
  const metadata = Object.entries(metrics.metadata ?? {});
  if (metadata.length > 0) {
    const pairs = metadata.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    entries.push(["Metadata", `(${pairs.join(";")})`]);
  }
  const added = entries.filter(([key]) => !existing.has(key)).map(([k, v]) => `${k}=${v}`);
  if (added.length === 0) return username;
  return username + (question === -1 ? "?" : "&") + added.join("&");
}
