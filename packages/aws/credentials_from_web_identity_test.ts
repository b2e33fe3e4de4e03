import assert from "node:assert/strict";
import { credentialsFromWebIdentity } from "./credentials_from_web_identity.ts";
import { CredentialsUnavailableError } from "./credentials.ts";
import { issuer, startSts } from "./testdata/credential_servers.ts";

const roleArn = "arn:aws:iam::123456789012:role/device";

async function tokenFile(token: string): Promise<string> {
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, `${token}\n`);
  return path;
}

Deno.test("credentialsFromWebIdentity() posts AssumeRoleWithWebIdentity and reads the XML answer", async () => {
  await using sts = startSts({ acceptToken: "oidc-token", issue: issuer() });
  const file = await tokenFile("oidc-token");
  try {
    const vars: Record<string, string> = {
      AWS_WEB_IDENTITY_TOKEN_FILE: file,
      AWS_ROLE_ARN: roleArn,
      AWS_ROLE_SESSION_NAME: "device-session",
      AWS_ENDPOINT_URL_STS: sts.url,
    };
    const credentials = await credentialsFromWebIdentity({ env: (name) => vars[name] })();
    assert.equal(credentials.accessKeyId, "ASIA1");
    assert.equal(credentials.secretAccessKey, "secret1");
    assert.equal(credentials.sessionToken, "token1");
    assert.ok(credentials.expiration! > new Date());
    const [request] = sts.requests;
    assert.equal(request.method, "POST");
    assert.match(request.headers.get("content-type")!, /^application\/x-www-form-urlencoded/);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), {
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: roleArn,
      RoleSessionName: "device-session",
      WebIdentityToken: "oidc-token",
    });
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("credentialsFromWebIdentity() reads the token file again on every call", async () => {
  await using sts = startSts({ acceptToken: "second", issue: issuer() });
  const file = await tokenFile("first");
  try {
    const provider = credentialsFromWebIdentity({
      tokenFile: file,
      roleArn,
      endpoint: sts.url,
      env: () => undefined,
    });
    await assert.rejects(
      provider(),
      new Error(
        `Cannot assume role ${roleArn} with a web identity: STS answered InvalidIdentityToken: Couldn't retrieve verification key from your identity provider`,
      ),
    );
    await Deno.writeTextFile(file, "second");
    assert.equal((await provider()).accessKeyId, "ASIA1");
    assert.match(new URLSearchParams(sts.requests[1].body).get("RoleSessionName")!, /^tern-\d+$/);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("credentialsFromWebIdentity() is unavailable without a token file or a role", async () => {
  await assert.rejects(
    credentialsFromWebIdentity({ env: () => undefined })(),
    CredentialsUnavailableError,
  );
  await assert.rejects(
    credentialsFromWebIdentity({
      env: (n) => n === "AWS_WEB_IDENTITY_TOKEN_FILE" ? "/t" : undefined,
    })(),
    new CredentialsUnavailableError(
      "Cannot assume a role with a web identity: AWS_ROLE_ARN is not set",
    ),
  );
});

Deno.test("credentialsFromWebIdentity() names a token file it cannot read", async () => {
  const error = await credentialsFromWebIdentity({
    tokenFile: "/nonexistent/token",
    roleArn,
    endpoint: "http://127.0.0.1:9",
    env: () => undefined,
  })().catch((e) => e);
  assert.equal(
    error.message,
    `Cannot assume role ${roleArn} with a web identity: cannot read token file /nonexistent/token`,
  );
  assert.ok(!(error instanceof CredentialsUnavailableError));
});
