import assert from "node:assert/strict";
import { credentialsFromEnv, CredentialsUnavailableError } from "./credentials.ts";

Deno.test("credentialsFromEnv() reads the three AWS variables on every call", async () => {
  const vars: Record<string, string> = { AWS_ACCESS_KEY_ID: "AKID1", AWS_SECRET_ACCESS_KEY: "s1" };
  const provider = credentialsFromEnv({ env: (name) => vars[name] });
  assert.deepEqual(await provider(), { accessKeyId: "AKID1", secretAccessKey: "s1" });
  vars.AWS_ACCESS_KEY_ID = "AKID2";
  vars.AWS_SESSION_TOKEN = "token";
  assert.deepEqual(await provider(), {
    accessKeyId: "AKID2",
    secretAccessKey: "s1",
    sessionToken: "token",
  });
});

Deno.test("credentialsFromEnv() reads Deno.env by default", async () => {
  const names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];
  const saved = names.map((name) => Deno.env.get(name));
  try {
    Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
    Deno.env.set("AWS_SECRET_ACCESS_KEY", "secret-from-env");
    Deno.env.delete("AWS_SESSION_TOKEN");
    assert.deepEqual(await credentialsFromEnv()(), {
      accessKeyId: "AKIDENV",
      secretAccessKey: "secret-from-env",
    });
  } finally {
    names.forEach((name, i) => {
      if (saved[i] === undefined) Deno.env.delete(name);
      else Deno.env.set(name, saved[i]);
    });
  }
});

Deno.test("credentialsFromEnv() rejects with the name of the missing variable", async () => {
  await assert.rejects(
    credentialsFromEnv({ env: () => undefined })(),
    new CredentialsUnavailableError("Cannot read AWS credentials: AWS_ACCESS_KEY_ID is not set"),
  );
  await assert.rejects(
    credentialsFromEnv({ env: (name) => name === "AWS_ACCESS_KEY_ID" ? "AKID" : "" })(),
    new CredentialsUnavailableError(
      "Cannot read AWS credentials: AWS_SECRET_ACCESS_KEY is not set",
    ),
  );
});
