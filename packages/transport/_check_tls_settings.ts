import type { TlsSettings } from "./tls_options.ts";

/** Rejects settings that cannot work, before any connection is attempted. */
export function checkTlsSettings(adapter: string, settings: TlsSettings): void {
  if ((settings.cert === undefined) !== (settings.key === undefined)) {
    throw new TypeError(
      `Cannot create ${adapter} transport: cert and key must be given together for mutual TLS`,
    );
  }
  for (const [name, value] of [["cert", settings.cert], ["key", settings.key]] as const) {
    if (value !== undefined && !value.includes("-----BEGIN")) {
      throw new TypeError(`Cannot create ${adapter} transport: ${name} must be PEM text`);
    }
  }
  for (const ca of settings.caCerts ?? []) {
    if (typeof ca !== "string" || !ca.includes("-----BEGIN")) {
      throw new TypeError(`Cannot create ${adapter} transport: caCerts must be PEM text`);
    }
  }
  if (settings.serverName === "") {
    throw new TypeError(`Cannot create ${adapter} transport: serverName must not be empty`);
  }
}
