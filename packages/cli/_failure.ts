/**
 * Turns whatever stopped a command into mosquitto's line and exit code: 1 for a refused or
 * failed connection (TCP, DNS, TLS), the CONNACK code for a refused CONNECT, 7 for a lost
 * connection, as mosquitto_pub and mosquitto_sub do.
 *
 * @module
 */
import {
  ClientStoppedError,
  ConnectionClosedError,
  ConnectionRefusedError,
  TimeoutError,
} from "@tern/agent";
import { TransportError } from "@tern/transport";
import { CommandError, failure } from "./_errors.ts";
import { connackText, reasonText } from "./_reason_text.ts";

/** libmosquitto's MOSQ_ERR_CONN_LOST, what its clients exit with when a connection drops. */
export const EXIT_CONNECTION_LOST = 7;

const TLS_DETAIL: Partial<Record<TransportError["code"], string>> = {
  "tls-unknown-ca": "the server's certificate is not signed by a trusted CA (--cafile)",
  "tls-hostname-mismatch":
    "the server's certificate is not valid for the host name (--insecure skips this check)",
  "tls-client-certificate-rejected":
    "the server refused the client certificate or wanted one (--cert, --key)",
};

/** The stderr line and exit code for `error`, raised while connecting or running. */
export function describeFailure(error: unknown, protocolVersion: 3 | 4 | 5): CommandError {
  if (error instanceof CommandError) return error;
  // A call that the stopping client failed carries why it stopped.
  if (error instanceof ClientStoppedError && error.cause instanceof Error) {
    return describeFailure(error.cause, protocolVersion);
  }
  if (error instanceof ConnectionRefusedError) {
    const text = protocolVersion !== 5
      ? connackText(error.reasonCode)
      : reasonText(error.reasonCode);
    return failure(`Connection error: ${text}`, error.reasonCode, { cause: error });
  }
  const transport = findTransportError(error);
  if (transport !== undefined) return describeTransport(transport);
  if (error instanceof ConnectionClosedError) {
    const reason = error.byServer ? ` (${reasonText(error.reasonCode)})` : "";
    return failure(`Error: The connection was lost${reason}.`, EXIT_CONNECTION_LOST, {
      cause: error,
    });
  }
  if (error instanceof TimeoutError) {
    return failure(`Error: ${error.message}`, EXIT_CONNECTION_LOST, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  // A raw TLS error (the --insecure transport is not classified by @tern/transport).
  if (/certificate|tls|handshake/i.test(message)) {
    return failure(`Unable to connect (A TLS error occurred: ${message}).`, 1, {
      cause: error,
    });
  }
  return failure(`Error: ${message}`, 1, { cause: error });
}

function describeTransport(error: TransportError): CommandError {
  const options = { cause: error };
  switch (error.code) {
    case "refused":
      return failure("Error: Connection refused", 1, options);
    case "dns":
      return failure("Unable to connect (Lookup error.).", 1, options);
    case "timeout":
      return failure(`Unable to connect (Timed out: ${error.message}).`, 1, options);
    case "tls-unknown-ca":
    case "tls-hostname-mismatch":
    case "tls-client-certificate-rejected":
    case "tls-handshake": {
      const detail = TLS_DETAIL[error.code] ?? error.message;
      return failure(`Unable to connect (A TLS error occurred: ${detail}).`, 1, options);
    }
    case "network":
      return failure("Error: The connection was lost.", EXIT_CONNECTION_LOST, options);
    default:
      return failure(`Unable to connect (${error.message}).`, 1, options);
  }
}

// The client wraps transport failures (ConnectionClosedError with the TransportError as
// cause); the first TransportError in the chain says what really happened.
function findTransportError(error: unknown): TransportError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof TransportError) return e;
  }
  return undefined;
}
