import assert from "node:assert/strict";
import { credentialsFromInstanceMetadata } from "./credentials_from_instance_metadata.ts";
import { CredentialsUnavailableError } from "./credentials.ts";
import { freePort } from "../../tests/support/free_port.ts";
import { issuer, startInstanceMetadata } from "./testdata/credential_servers.ts";

Deno.test("credentialsFromInstanceMetadata() takes a token, the role name, then the role's credentials", async () => {
  await using imds = startInstanceMetadata({ role: "device-role", issue: issuer() });
  const env = (n: string) => n === "AWS_EC2_METADATA_SERVICE_ENDPOINT" ? `${imds.url}/` : undefined;
  const credentials = await credentialsFromInstanceMetadata({ env })();
  assert.equal(credentials.accessKeyId, "ASIA1");
  assert.equal(credentials.sessionToken, "token1");
  assert.deepEqual(
    imds.requests.map((r) => `${r.method} ${r.path}`),
    [
      "PUT /latest/api/token",
      "GET /latest/meta-data/iam/security-credentials/",
      "GET /latest/meta-data/iam/security-credentials/device-role",
    ],
  );
  assert.equal(imds.requests[0].headers.get("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  const token = imds.requests[1].headers.get("x-aws-ec2-metadata-token");
  assert.match(token!, /^AQAEAEXAMPLE-/);
  assert.equal(imds.requests[2].headers.get("x-aws-ec2-metadata-token"), token);
});

Deno.test("credentialsFromInstanceMetadata() is unavailable on an instance without a role", async () => {
  await using imds = startInstanceMetadata({ issue: issuer() });
  await assert.rejects(
    credentialsFromInstanceMetadata({ endpoint: imds.url, env: () => undefined })(),
    new CredentialsUnavailableError(
      "Cannot fetch instance credentials: the instance has no IAM role (404)",
    ),
  );
});

Deno.test("credentialsFromInstanceMetadata() is unavailable when nothing listens at the endpoint", async () => {
  const error = await credentialsFromInstanceMetadata({
    endpoint: `http://127.0.0.1:${freePort()}`,
    env: () => undefined,
  })().catch((e) => e);
  assert.ok(error instanceof CredentialsUnavailableError, String(error));
  assert.match(
    error.message,
    /^Cannot fetch instance credentials: no metadata service at http:\/\/127\.0\.0\.1:\d+/,
  );
});

Deno.test("credentialsFromInstanceMetadata() is unavailable when AWS_EC2_METADATA_DISABLED is true", async () => {
  await using imds = startInstanceMetadata({ role: "r", issue: issuer() });
  await assert.rejects(
    credentialsFromInstanceMetadata({
      endpoint: imds.url,
      env: (n) => n === "AWS_EC2_METADATA_DISABLED" ? "true" : undefined,
    })(),
    CredentialsUnavailableError,
  );
  assert.equal(imds.requests.length, 0);
});
