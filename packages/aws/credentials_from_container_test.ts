import assert from "node:assert/strict";
import { credentialsFromContainer } from "./credentials_from_container.ts";
import { CredentialsUnavailableError } from "./credentials.ts";
import { issuer, startContainerEndpoint } from "./testdata/credential_servers.ts";

Deno.test("credentialsFromContainer() resolves a relative URI against the ECS address", async () => {
  await using ecs = startContainerEndpoint({ path: "/v2/credentials/abc-123", issue: issuer() });
  const provider = credentialsFromContainer({
    relativeUriBase: ecs.url,
    env: (n) =>
      n === "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" ? "/v2/credentials/abc-123" : undefined,
  });
  const credentials = await provider();
  assert.deepEqual(
    { ...credentials, expiration: undefined },
    {
      accessKeyId: "ASIA1",
      secretAccessKey: "secret1",
      sessionToken: "token1",
      expiration: undefined,
    },
  );
  assert.equal(ecs.requests[0].method, "GET");
  assert.equal(ecs.requests[0].headers.get("authorization"), null);
});

Deno.test("credentialsFromContainer() sends the token file's content as Authorization, read on every call", async () => {
  await using agent = startContainerEndpoint({
    path: "/v1/credentials",
    authorization: "rotated-token",
    issue: issuer(),
  });
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "old-token\n");
    const vars: Record<string, string> = {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "ignored-when-the-file-is-set",
    };
    const provider = credentialsFromContainer({ env: (name) => vars[name] });
    await assert.rejects(
      provider(),
      new Error(
        `Cannot fetch container credentials: ${agent.url}/v1/credentials answered HTTP 401: AccessDeniedException: Authorization token is invalid`,
      ),
    );
    await Deno.writeTextFile(file, "rotated-token\n");
    assert.equal((await provider()).accessKeyId, "ASIA1");
    assert.equal(agent.requests[1].headers.get("authorization"), "rotated-token");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("credentialsFromContainer() sends AWS_CONTAINER_AUTHORIZATION_TOKEN without a file", async () => {
  await using agent = startContainerEndpoint({
    path: "/c",
    authorization: "Basic abc",
    issue: issuer(),
  });
  const vars: Record<string, string> = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/c`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: "Basic abc",
  };
  assert.equal(
    (await credentialsFromContainer({ env: (name) => vars[name] })()).sessionToken,
    "token1",
  );
});

Deno.test("credentialsFromContainer() refuses a plain-http full URI to another host", async () => {
  const env = (name: string) =>
    name === "AWS_CONTAINER_CREDENTIALS_FULL_URI" ? "http://example.com/creds" : undefined;
  await assert.rejects(
    credentialsFromContainer({ env })(),
    new TypeError(
      'Cannot fetch container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or name a loopback, ECS or EKS address, not "example.com"',
    ),
  );
});

Deno.test("credentialsFromContainer() is unavailable when no URI variable is set", async () => {
  await assert.rejects(
    credentialsFromContainer({ env: () => undefined })(),
    CredentialsUnavailableError,
  );
});

Deno.test("credentialsFromContainer() refuses an answer without keys", async () => {
  await using server = startContainerEndpoint({
    path: "/c",
    issue: () => ({
      accessKeyId: "",
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: new Date(Date.now() + 60_000),
    }),
  });
  const env = (n: string) =>
    n === "AWS_CONTAINER_CREDENTIALS_FULL_URI" ? `${server.url}/c` : undefined;
  await assert.rejects(
    credentialsFromContainer({ env })(),
    new Error("Cannot read AWS credentials from the container endpoint: AccessKeyId is missing"),
  );
});
