import assert from "node:assert/strict";
import { credentialsFromProfile } from "./credentials_from_profile.ts";
import { CredentialsUnavailableError } from "./credentials.ts";
import { issuer, startSts } from "./testdata/credential_servers.ts";

async function withAwsDir(
  files: { credentials?: string; config?: string },
  body: (home: string) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${home}/.aws`);
    if (files.credentials) await Deno.writeTextFile(`${home}/.aws/credentials`, files.credentials);
    if (files.config) await Deno.writeTextFile(`${home}/.aws/config`, files.config);
    await body(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("credentialsFromProfile() reads the default profile from ~/.aws/credentials", async () => {
  await withAwsDir({
    credentials:
      "# keys\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key=secret\n\n[other]\naws_access_key_id = AKIDOTHER\n",
  }, async (home) => {
    const provider = credentialsFromProfile({ env: (n) => n === "HOME" ? home : undefined });
    assert.deepEqual(await provider(), { accessKeyId: "AKIDDEFAULT", secretAccessKey: "secret" });
  });
});

Deno.test("credentialsFromProfile() picks AWS_PROFILE and lets the credentials file override [profile x] in config", async () => {
  await withAwsDir({
    config:
      "[profile device]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = config-secret\naws_session_token = t\nregion = eu-west-1\n",
    credentials: "[device]\naws_access_key_id = AKIDCREDS\n",
  }, async (home) => {
    const vars: Record<string, string> = { HOME: home, AWS_PROFILE: "device" };
    assert.deepEqual(await credentialsFromProfile({ env: (n) => vars[n] })(), {
      accessKeyId: "AKIDCREDS",
      secretAccessKey: "config-secret",
      sessionToken: "t",
    });
  });
});

Deno.test("credentialsFromProfile() honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE", async () => {
  await withAwsDir({
    config: "[default]\naws_access_key_id = AKIDELSEWHERE\naws_secret_access_key = s\n",
  }, async (dir) => {
    const vars: Record<string, string> = {
      HOME: "/nonexistent",
      AWS_SHARED_CREDENTIALS_FILE: `${dir}/missing`,
      AWS_CONFIG_FILE: `${dir}/.aws/config`,
    };
    assert.equal(
      (await credentialsFromProfile({ env: (n) => vars[n] })()).accessKeyId,
      "AKIDELSEWHERE",
    );
  });
});

Deno.test("credentialsFromProfile() runs credential_process and reads its JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    await Deno.writeTextFile(
      `${dir}/out.json`,
      JSON.stringify({
        Version: 1,
        AccessKeyId: "ASIAPROC",
        SecretAccessKey: "s",
        SessionToken: "t",
        Expiration: expiration,
      }),
    );
    await Deno.writeTextFile(
      `${dir}/config`,
      `[profile proc]\ncredential_process = cat "${dir}/out.json"\n`,
    );
    const provider = credentialsFromProfile({
      profile: "proc",
      configFile: `${dir}/config`,
      credentialsFile: `${dir}/credentials`,
      env: () => undefined,
    });
    assert.deepEqual(await provider(), {
      accessKeyId: "ASIAPROC",
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: new Date(expiration),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("credentialsFromProfile() reports a failing credential_process with its stderr", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config`,
      "[default]\ncredential_process = echo 'token expired' >&2; exit 3\n",
    );
    const provider = credentialsFromProfile({
      configFile: `${dir}/config`,
      credentialsFile: `${dir}/credentials`,
      env: () => undefined,
    });
    await assert.rejects(
      provider(),
      new Error(
        'Cannot read AWS credentials from the credential_process of profile "default": it exited with code 3: token expired',
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("credentialsFromProfile() refuses credential_process output without Version 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/out.json`,
      JSON.stringify({ Version: 2, AccessKeyId: "A", SecretAccessKey: "s" }),
    );
    await Deno.writeTextFile(
      `${dir}/config`,
      `[default]\ncredential_process = cat ${dir}/out.json\n`,
    );
    const provider = credentialsFromProfile({
      configFile: `${dir}/config`,
      credentialsFile: `${dir}/c`,
      env: () => undefined,
    });
    await assert.rejects(provider(), /output Version is 2, not 1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("credentialsFromProfile() assumes a role with a profile's web_identity_token_file", async () => {
  await using sts = startSts({ acceptToken: "profile-token", issue: issuer() });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/token`, "profile-token");
    await Deno.writeTextFile(
      `${dir}/config`,
      `[profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = ${dir}/token\nrole_session_name = from-profile\n`,
    );
    const vars: Record<string, string> = { AWS_ENDPOINT_URL_STS: sts.url };
    const provider = credentialsFromProfile({
      profile: "web",
      configFile: `${dir}/config`,
      credentialsFile: `${dir}/credentials`,
      env: (n) => vars[n],
    });
    assert.equal((await provider()).accessKeyId, "ASIA1");
    const form = new URLSearchParams(sts.requests[0].body);
    assert.equal(form.get("RoleArn"), "arn:aws:iam::123456789012:role/web");
    assert.equal(form.get("RoleSessionName"), "from-profile");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("credentialsFromProfile() is unavailable for a missing profile or one without credentials", async () => {
  await withAwsDir({ config: "[default]\nregion = us-east-1\n" }, async (home) => {
    const env = (n: string) => n === "HOME" ? home : undefined;
    await assert.rejects(
      credentialsFromProfile({ env })(),
      new CredentialsUnavailableError(
        `Cannot read AWS credentials: profile "default" in ${home}/.aws/credentials or ${home}/.aws/config has no credentials`,
      ),
    );
    await assert.rejects(
      credentialsFromProfile({ env, profile: "nope" })(),
      CredentialsUnavailableError,
    );
  });
});

Deno.test("credentialsFromProfile() assumes role_arn with a source_profile's keys, signed for STS", async () => {
  await using sts = startSts({ secrets: { AKIDSOURCE: "source-secret" }, issue: issuer() });
  await withAwsDir({
    credentials: "[base]\naws_access_key_id = AKIDSOURCE\naws_secret_access_key = source-secret\n",
    config: [
      "[profile admin]",
      "role_arn = arn:aws:iam::123456789012:role/admin",
      "source_profile = base",
      "role_session_name = tern-admin",
      "external_id = ext-1",
      "duration_seconds = 1800",
      "[profile chained]",
      "role_arn = arn:aws:iam::123456789012:role/chained",
      "source_profile = admin",
    ].join("\n"),
  }, async (home) => {
    const vars: Record<string, string> = { HOME: home, AWS_ENDPOINT_URL_STS: sts.url };
    const admin = await credentialsFromProfile({ profile: "admin", env: (n) => vars[n] })();
    assert.equal(admin.accessKeyId, "ASIA1");
    assert.ok(admin.expiration);
    const query = sts.requests[0].url.searchParams;
    assert.equal(sts.requests[0].method, "GET");
    assert.deepStrictEqual(
      ["Action", "Version", "RoleArn", "RoleSessionName", "ExternalId", "DurationSeconds"]
        .map((name) => query.get(name)),
      [
        "AssumeRole",
        "2011-06-15",
        "arn:aws:iam::123456789012:role/admin",
        "tern-admin",
        "ext-1",
        "1800",
      ],
    );
    assert.match(
      query.get("X-Amz-Credential")!,
      /^AKIDSOURCE\/\d{8}\/us-east-1\/sts\/aws4_request$/,
    );

    // A chain: base's keys assume admin, whose session credentials assume chained.
    const chained = await credentialsFromProfile({ profile: "chained", env: (n) => vars[n] })();
    assert.equal(chained.accessKeyId, "ASIA3");
    const last = sts.requests[2].url.searchParams;
    assert.match(last.get("X-Amz-Credential")!, /^ASIA2\//);
    assert.equal(last.get("X-Amz-Security-Token"), "token2");
  });
});

Deno.test("credentialsFromProfile() refuses a wrong signature, a source_profile loop and mfa_serial", async () => {
  await using sts = startSts({ secrets: { AKIDSOURCE: "the-real-secret" }, issue: issuer() });
  await withAwsDir({
    credentials: "[base]\naws_access_key_id = AKIDSOURCE\naws_secret_access_key = wrong-secret\n",
    config: [
      "[profile admin]",
      "role_arn = arn:aws:iam::1:role/admin",
      "source_profile = base",
      "[profile a]",
      "role_arn = arn:aws:iam::1:role/a",
      "source_profile = b",
      "[profile b]",
      "role_arn = arn:aws:iam::1:role/b",
      "source_profile = a",
      "[profile mfa]",
      "role_arn = arn:aws:iam::1:role/mfa",
      "source_profile = base",
      "mfa_serial = arn:aws:iam::1:mfa/alice",
    ].join("\n"),
  }, async (home) => {
    const vars: Record<string, string> = { HOME: home, AWS_ENDPOINT_URL_STS: sts.url };
    const provider = (profile: string) => credentialsFromProfile({ profile, env: (n) => vars[n] });
    await assert.rejects(provider("admin")(), /STS answered SignatureDoesNotMatch/);
    await assert.rejects(provider("a")(), /source_profile loops: a -> b -> a/);
    await assert.rejects(provider("mfa")(), /mfa_serial needs a token code/);
  });
});

Deno.test("credentialsFromProfile() assumes a role with credential_source = Environment", async () => {
  await using sts = startSts({ secrets: { AKIDENV: "env-secret" }, issue: issuer() });
  await withAwsDir({
    config:
      "[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\nregion = eu-west-1\n",
  }, async (home) => {
    const vars: Record<string, string> = {
      HOME: home,
      AWS_ACCESS_KEY_ID: "AKIDENV",
      AWS_SECRET_ACCESS_KEY: "env-secret",
      AWS_ENDPOINT_URL_STS: sts.url,
    };
    assert.equal((await credentialsFromProfile({ env: (n) => vars[n] })()).accessKeyId, "ASIA1");
    // Signed for the profile's region.
    assert.match(sts.requests[0].url.searchParams.get("X-Amz-Credential")!, /\/eu-west-1\/sts\//);
  });
});
