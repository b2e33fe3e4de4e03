import assert from "node:assert/strict";
import { cachedCredentials, credentialsChain, defaultCredentials } from "./credentials_chain.ts";
import { type AwsCredentials, CredentialsUnavailableError } from "./credentials.ts";
import {
  issuer,
  startContainerEndpoint,
  startInstanceMetadata,
  startSts,
} from "./testdata/credential_servers.ts";

const unavailable = (why: string) => () =>
  Promise.reject(new CredentialsUnavailableError(`Cannot x: ${why}`));

Deno.test("credentialsChain() skips unavailable providers and lists them when none applies", async () => {
  const keys = { accessKeyId: "A", secretAccessKey: "s" };
  assert.deepEqual(
    await credentialsChain([unavailable("one"), () => Promise.resolve(keys)])(),
    keys,
  );
  await assert.rejects(
    credentialsChain([unavailable("one"), unavailable("two")])(),
    new CredentialsUnavailableError("Cannot find AWS credentials: one; two"),
  );
});

Deno.test("credentialsChain() stops at a provider that fails for another reason", async () => {
  let reached = false;
  await assert.rejects(
    credentialsChain([
      () => Promise.reject(new Error("STS said no")),
      () => {
        reached = true;
        return Promise.resolve({ accessKeyId: "A", secretAccessKey: "s" });
      },
    ])(),
    new Error("STS said no"),
  );
  assert.equal(reached, false);
});

Deno.test("cachedCredentials() refreshes five minutes before expiry, once for concurrent callers", async () => {
  let clock = Date.parse("2026-12-06T12:00:00Z");
  const now = () => new Date(clock);
  let calls = 0;
  const provider = cachedCredentials(() => {
    calls++;
    return Promise.resolve({
      accessKeyId: `ASIA${calls}`,
      secretAccessKey: "s",
      expiration: new Date(clock + 3_600_000),
    });
  }, { now });
  const [a, b] = await Promise.all([provider(), provider()]);
  assert.equal(a.accessKeyId, "ASIA1");
  assert.equal(b.accessKeyId, "ASIA1");
  clock += 3_600_000 - 300_001;
  assert.equal((await provider()).accessKeyId, "ASIA1");
  clock += 2;
  assert.equal((await provider()).accessKeyId, "ASIA2");
  assert.equal(calls, 2);
});

Deno.test("cachedCredentials() keeps unexpired credentials when a refresh fails, and fails once they expire", async () => {
  let clock = 0;
  let fail = false;
  const provider = cachedCredentials(() => {
    if (fail) return Promise.reject(new Error("endpoint down"));
    return Promise.resolve({
      accessKeyId: "A",
      secretAccessKey: "s",
      expiration: new Date(600_000),
    });
  }, { now: () => new Date(clock) });
  await provider();
  fail = true;
  clock = 400_000; // inside the refresh window, not expired
  assert.equal((await provider()).accessKeyId, "A");
  clock = 600_000;
  await assert.rejects(provider(), new Error("endpoint down"));
});

Deno.test("cachedCredentials() asks again every time for credentials without an expiry", async () => {
  let calls = 0;
  const provider = cachedCredentials(() =>
    Promise.resolve({ accessKeyId: `A${++calls}`, secretAccessKey: "s" })
  );
  await provider();
  assert.equal((await provider()).accessKeyId, "A2");
});

Deno.test("cachedCredentials() lets a caller abort its wait without failing the others", async () => {
  let release!: (value: AwsCredentials) => void;
  const provider = cachedCredentials(() => new Promise((resolve) => release = resolve));
  const controller = new AbortController();
  const aborted = provider({ signal: controller.signal });
  const waiting = provider();
  controller.abort(new Error("attempt cancelled"));
  await assert.rejects(aborted, new Error("attempt cancelled"));
  release({ accessKeyId: "A", secretAccessKey: "s", expiration: new Date(Date.now() + 3_600_000) });
  assert.equal((await waiting).accessKeyId, "A");
});

/** Variables that keep the chain on loopback: IMDS pointed at a closed or local port. */
function chainEnv(vars: Record<string, string>) {
  return (name: string) => vars[name];
}

Deno.test("defaultCredentials() takes environment keys first", async () => {
  await using imds = startInstanceMetadata({ role: "r", issue: issuer() });
  const env = chainEnv({
    AWS_ACCESS_KEY_ID: "AKIDENV",
    AWS_SECRET_ACCESS_KEY: "s",
    AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
    HOME: "/nonexistent",
  });
  assert.equal((await defaultCredentials({ env })()).accessKeyId, "AKIDENV");
  assert.equal(imds.requests.length, 0);
});

Deno.test("defaultCredentials() skips environment keys when AWS_PROFILE names a profile", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/credentials`,
      "[device]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n",
    );
    const env = chainEnv({
      AWS_ACCESS_KEY_ID: "AKIDENV",
      AWS_SECRET_ACCESS_KEY: "s",
      AWS_PROFILE: "device",
      AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
      AWS_CONFIG_FILE: `${dir}/config`,
      AWS_EC2_METADATA_DISABLED: "true",
    });
    assert.equal((await defaultCredentials({ env })()).accessKeyId, "AKIDFILE");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("defaultCredentials() falls through files to web identity, then container, then IMDS", async () => {
  await using sts = startSts({
    acceptToken: "tok",
    issue: () => ({ ...issuer()(), accessKeyId: "ASIASTS" }),
  });
  await using ecs = startContainerEndpoint({
    path: "/creds",
    issue: () => ({ ...issuer()(), accessKeyId: "ASIAECS" }),
  });
  await using imds = startInstanceMetadata({
    role: "r",
    issue: () => ({ ...issuer()(), accessKeyId: "ASIAEC2" }),
  });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/token`, "tok");
    const vars: Record<string, string> = {
      HOME: dir,
      AWS_WEB_IDENTITY_TOKEN_FILE: `${dir}/token`,
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/r",
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.url}/creds`,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
    };
    assert.equal((await defaultCredentials({ env: chainEnv(vars) })()).accessKeyId, "ASIASTS");
    delete vars.AWS_WEB_IDENTITY_TOKEN_FILE;
    assert.equal((await defaultCredentials({ env: chainEnv(vars) })()).accessKeyId, "ASIAECS");
    delete vars.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    assert.equal((await defaultCredentials({ env: chainEnv(vars) })()).accessKeyId, "ASIAEC2");
    delete vars.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    vars.AWS_EC2_METADATA_DISABLED = "true";
    const error = await defaultCredentials({ env: chainEnv(vars) })().catch((e) => e);
    assert.ok(error instanceof CredentialsUnavailableError);
    assert.match(
      error.message,
      /^Cannot find AWS credentials: AWS_ACCESS_KEY_ID is not set; profile "default" is not in /,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("defaultCredentials() caches IMDS credentials across calls until they near expiry", async () => {
  let clock = Date.now();
  const now = () => new Date(clock);
  await using imds = startInstanceMetadata({ role: "r", issue: issuer(now) });
  const env = chainEnv({ HOME: "/nonexistent", AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url });
  const provider = defaultCredentials({ env, now });
  assert.equal((await provider()).accessKeyId, "ASIA1");
  assert.equal((await provider()).accessKeyId, "ASIA1");
  assert.equal(imds.requests.length, 3);
  clock += 3_600_000 - 200_000;
  assert.equal((await provider()).accessKeyId, "ASIA2");
  assert.equal(imds.requests.length, 6);
});
