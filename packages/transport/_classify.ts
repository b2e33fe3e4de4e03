import { TransportError, type TransportErrorCode } from "./errors.ts";

// Deno (rustls) and Node (OpenSSL) report the same failures with different codes and
// messages; these tables map both onto one vocabulary.
const NODE_CODES: Record<string, TransportErrorCode> = {
  ECONNREFUSED: "refused",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_NONAME: "dns",
  ETIMEDOUT: "timeout",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "tls-unknown-ca",
  UNABLE_TO_GET_ISSUER_CERT: "tls-unknown-ca",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "tls-unknown-ca",
  SELF_SIGNED_CERT_IN_CHAIN: "tls-unknown-ca",
  DEPTH_ZERO_SELF_SIGNED_CERT: "tls-unknown-ca",
  ERR_TLS_CERT_ALTNAME_INVALID: "tls-hostname-mismatch",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "tls-client-certificate-rejected",
  // Bun (BoringSSL) names the TLS 1.3 alert differently.
  ERR_SSL_TLSV1_ALERT_CERTIFICATE_REQUIRED: "tls-client-certificate-rejected",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "tls-client-certificate-rejected",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "tls-client-certificate-rejected",
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: "tls-handshake",
};

const MESSAGE_PATTERNS: [RegExp, TransportErrorCode][] = [
  // A peer that vanishes mid-stream (rustls: "peer closed connection without sending TLS
  // close_notify") lost the connection; it is not a handshake problem.
  [/close_notify|unexpected ?eof|connection reset|broken pipe/i, "network"],
  // Workers say "cannot connect to the specified address" for any failed connect().
  [
    /connection refused|ECONNREFUSED|tcp connect error|cannot connect to the specified address/i,
    "refused",
  ],
  [/failed to lookup address|name or service not known|ENOTFOUND|getaddrinfo/i, "dns"],
  [
    /UnknownIssuer|unable to verify|self[- ]signed certificate|unable to get (local )?issuer/i,
    "tls-unknown-ca",
  ],
  [
    /not valid for name|NotValidForName|altnames|hostname\/IP does not match/i,
    "tls-hostname-mismatch",
  ],
  [
    /alert: ?(CertificateRequired|BadCertificate|UnknownCA)|alert[ _](certificate[ _]required|bad[ _]certificate|unknown[ _]ca)/i,
    "tls-client-certificate-rejected",
  ],
  [/invalid peer certificate|fatal alert|handshake|ssl|tls/i, "tls-handshake"],
];

const DESCRIPTIONS: Record<TransportErrorCode, string> = {
  "refused": "connection refused",
  "dns": "host name not found",
  "timeout": "timed out",
  "tls-unknown-ca": "TLS handshake failed: the server certificate is not signed by a trusted CA",
  "tls-hostname-mismatch":
    "TLS handshake failed: the server certificate is not valid for the server name",
  "tls-client-certificate-rejected":
    "TLS handshake failed: the server rejected the client certificate (or required one)",
  "tls-handshake": "TLS handshake failed",
  "proxy-auth-required": "the proxy requires authentication",
  "proxy-status": "the proxy refused the tunnel",
  "proxy-protocol": "the proxy sent an invalid response",
  "websocket-upgrade": "the server refused the WebSocket upgrade",
  "network": "the connection failed",
};

/** The code for a runtime error, judged by its Node-style `code` and then its message. */
export function errorCode(error: unknown): TransportErrorCode {
  if (error instanceof TransportError) return error.code;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && code in NODE_CODES) return NODE_CODES[code];
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  for (const [pattern, result] of MESSAGE_PATTERNS) if (pattern.test(message)) return result;
  return "network";
}

/**
 * Wraps a runtime error in a {@linkcode TransportError}: `Cannot <action>: <what failed>`,
 * with the runtime's message after it. A `TransportError` passes through unchanged.
 */
export function transportError(action: string, error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new TransportError(`Cannot ${action}: ${DESCRIPTIONS[code]} (${detail})`, {
    code,
    cause: error,
  });
}
