/** Checks that an endpoint is a bare host name, and lowercases it. */
export function endpointHost(endpoint: string, action: string): string {
  if (typeof endpoint !== "string" || !/^[A-Za-z0-9.-]+$/.test(endpoint)) {
    throw new TypeError(
      `Cannot ${action}: endpoint must be a host name such as "abc123-ats.iot.us-east-1.amazonaws.com", got "${endpoint}"`,
    );
  }
  return endpoint.toLowerCase();
}
