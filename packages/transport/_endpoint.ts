/** Checks a host name and port given to an adapter, and formats them for messages. */
export function endpoint(adapter: string, hostname: unknown, port: unknown): string {
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError(`Cannot create ${adapter} transport: hostname must be a non-empty string`);
  }
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(
      `Cannot create ${adapter} transport: port must be an integer from 1 to 65535, got ${port}`,
    );
  }
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/** Checks `connectTimeoutMs` when a transport is created, not when it is first opened. */
export function checkConnectTimeout(adapter: string, connectTimeoutMs: unknown): void {
  if (
    connectTimeoutMs !== undefined &&
    (typeof connectTimeoutMs !== "number" || !(connectTimeoutMs > 0) ||
      !Number.isFinite(connectTimeoutMs))
  ) {
    throw new RangeError(
      `Cannot create ${adapter} transport: connectTimeoutMs must be a positive number, got ${connectTimeoutMs}`,
    );
  }
}
