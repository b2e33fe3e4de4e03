/**
 * Mutual TLS with an X.509 device certificate, on port 8883 or on 443 with ALPN
 * `x-amzn-mqtt-ca`.
 *
 * @module
 */
import type { IotClientOptions, IotCommonOptions } from "./client_options.ts";
import { checkPort, common, defined } from "./_common.ts";
import { readTextFile as defaultReadTextFile } from "./_files.ts";

/** Options for {@linkcode mtlsOptions}. */
export interface MtlsOptions extends IotCommonOptions {
  /** PEM device certificate (chain). */
  cert: string;
  /** PEM private key of the device certificate. */
  key: string;
  /**
   * 8883 (default) or 443; on 443 the ALPN protocol `x-amzn-mqtt-ca` is offered. Other
   * ports (custom domains, local test brokers) get no ALPN.
   */
  port?: number;
}

/** Options for {@linkcode mtlsOptionsFromFiles}. */
export interface MtlsFileOptions extends Omit<MtlsOptions, "cert" | "key"> {
  /** Path of the PEM device certificate. */
  certFile: string;
  /** Path of the PEM private key. */
  keyFile: string;
  /** Path of a PEM CA bundle, added to `caCerts`. */
  caFile?: string;
  /** Reads a file as text; defaults to `Deno.readTextFile` on Deno, `node:fs/promises` elsewhere. */
  readTextFile?: (path: string) => Promise<string>;
}

function checkPem(action: string, name: string, value: unknown): void {
  if (typeof value !== "string" || !value.includes("-----BEGIN")) {
    throw new TypeError(`Cannot ${action}: ${name} must be PEM text`);
  }
}

/**
 * Client options for mutual TLS from PEM text in memory. On port 443 the ALPN protocol
 * `x-amzn-mqtt-ca` is offered, as IoT Core requires there; on 8883 no ALPN is needed.
 * The server name (SNI) is always the endpoint.
 *
 * @example Port 443 with ALPN
 * ```ts
 * import { mtlsOptions } from "@tern/aws";
 *
 * const options = mtlsOptions({
 *   endpoint: "abc123-ats.iot.us-east-1.amazonaws.com",
 *   clientId: "device-1",
 *   cert: "-----BEGIN CERTIFICATE-----\n…",
 *   key: "-----BEGIN PRIVATE KEY-----\n…",
 *   port: 443,
 * });
 * console.log(options.url, options.alpnProtocols);
 * // "mqtts://abc123-ats.iot.us-east-1.amazonaws.com:443" ["x-amzn-mqtt-ca"]
 * ```
 */
export function mtlsOptions(options: MtlsOptions): IotClientOptions {
  const action = "build mutual TLS options";
  const { host, base, username } = common(options, action);
  checkPem(action, "cert", options.cert);
  checkPem(action, "key", options.key);
  const port = options.port ?? 8883;
  checkPort(action, port);
  return defined({
    url: `mqtts://${host}:${port}`,
    ...base,
    username: username(undefined),
    cert: options.cert,
    key: options.key,
    alpnProtocols: port === 443 ? ["x-amzn-mqtt-ca"] : undefined,
    serverName: host,
  });
}

/**
 * Client options for mutual TLS, reading the certificate, key and optional CA bundle
 * from files (the `*.pem.crt` and `*.pem.key` files AWS IoT hands out).
 *
 * @example Files from the AWS IoT console
 * ```ts ignore
 * import { mtlsOptionsFromFiles } from "@tern/aws";
 *
 * const options = await mtlsOptionsFromFiles({
 *   endpoint: "abc123-ats.iot.us-east-1.amazonaws.com",
 *   clientId: "device-1",
 *   certFile: "device.pem.crt",
 *   keyFile: "private.pem.key",
 *   caFile: "AmazonRootCA1.pem",
 * });
 * ```
 */
export async function mtlsOptionsFromFiles(options: MtlsFileOptions): Promise<IotClientOptions> {
  const { certFile, keyFile, caFile, readTextFile, ...rest } = options;
  const read = readTextFile ?? defaultReadTextFile;
  const [cert, key, ca] = await Promise.all([
    read(certFile),
    read(keyFile),
    caFile === undefined ? undefined : read(caFile),
  ]);
  const caCerts = ca === undefined ? rest.caCerts : [...(rest.caCerts ?? []), ca];
  return mtlsOptions({ ...rest, cert, key, caCerts });
}
