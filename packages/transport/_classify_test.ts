import assert from "node:assert/strict";
import { errorCode, transportError } from "./_classify.ts";
import { TransportError } from "./errors.ts";

/** An error shaped like a runtime's: a message and, for Node and Bun, a `code`. */
function runtimeError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

Deno.test("errorCode() reads the messages Deno gives (as observed on Deno 2.9)", () => {
  const cases: [string, string][] = [
    ["Connection refused (os error 111)", "refused"],
    ["failed to lookup address information: Name or service not known", "dns"],
    ["invalid peer certificate: UnknownIssuer", "tls-unknown-ca"],
    [
      'invalid peer certificate: certificate not valid for name "example.com"; certificate is only valid for DnsName("localhost")',
      "tls-hostname-mismatch",
    ],
    ["received fatal alert: CertificateRequired", "tls-client-certificate-rejected"],
    ["received fatal alert: UnknownCA", "tls-client-certificate-rejected"],
    ["received fatal alert: HandshakeFailure", "tls-handshake"],
    ["Connection reset by peer (os error 104)", "network"],
    [
      "peer closed connection without sending TLS close_notify: https://docs.rs/rustls/latest/rustls/manual/_03_howto/index.html#unexpected-eof",
      "network",
    ],
  ];
  for (const [message, code] of cases) {
    assert.equal(errorCode(runtimeError(message)), code, message);
  }
});

Deno.test("errorCode() reads the codes Node and Bun give", () => {
  const cases: [string, string][] = [
    ["ECONNREFUSED", "refused"],
    ["ENOTFOUND", "dns"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls-unknown-ca"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls-hostname-mismatch"],
    ["ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "tls-client-certificate-rejected"],
    ["ERR_SSL_TLSV1_ALERT_CERTIFICATE_REQUIRED", "tls-client-certificate-rejected"],
    ["ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "tls-client-certificate-rejected"],
  ];
  for (const [code, expected] of cases) {
    assert.equal(errorCode(runtimeError("opaque", code)), expected, code);
  }
});

Deno.test("transportError() says what failed and keeps the runtime error as cause", () => {
  const cause = runtimeError("Connection refused (os error 111)");
  const error = transportError("connect to 127.0.0.1:1883", cause);
  assert.equal(error.code, "refused");
  assert.equal(error.cause, cause);
  assert.equal(
    error.message,
    "Cannot connect to 127.0.0.1:1883: connection refused (Connection refused (os error 111))",
  );
  const existing = new TransportError("Cannot x: y", { code: "timeout" });
  assert.equal(transportError("anything", existing), existing);
});
