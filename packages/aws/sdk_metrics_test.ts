import assert from "node:assert/strict";
import { VERSION, withSdkMetrics } from "./sdk_metrics.ts";

Deno.test("VERSION matches the version in the package's deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("./deno.json", import.meta.url)));
  assert.equal(VERSION, config.version);
});

Deno.test("withSdkMetrics() starts a query string, or extends one with &", () => {
  assert.equal(withSdkMetrics("user"), `user?SDK=Tern&Version=${VERSION}`);
  assert.equal(withSdkMetrics("user?a=1"), `user?a=1&SDK=Tern&Version=${VERSION}`);
});

Deno.test("withSdkMetrics() sends platform and metadata in the current AWS SDK form", () => {
  assert.equal(
    withSdkMetrics("", {
      sdk: "S",
      version: "1",
      platform: "Deno",
      metadata: { a: "1", b: "x y" },
    }),
    "?SDK=S&Version=1&Platform=Deno&Metadata=(a=1;b=x%20y)",
  );
});

Deno.test("withSdkMetrics() does not overwrite keys the username already has", () => {
  assert.equal(withSdkMetrics("u?SDK=Mine", { version: "2" }), "u?SDK=Mine&Version=2");
  assert.equal(withSdkMetrics("u?SDK=Mine&Version=9"), "u?SDK=Mine&Version=9");
});
