// An edge or browser bundle of the portable entry points pulls in no runtime-specific module.
import assert from "node:assert/strict";
import { bundle } from "./transport_bundle.ts";

Deno.test("the main and websocket entry points bundle for browsers without node: or cloudflare: imports", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-bundle-" });
  try {
    for (const entry of ["mod.ts", "websocket.ts", "url.ts"]) {
      const output = await bundle(
        new URL(`../packages/transport/${entry}`, import.meta.url).pathname,
        { outDir: dir, platform: "browser", name: entry.replace(".ts", ".js") },
      );
      const code = await Deno.readTextFile(output);
      assert.doesNotMatch(code, /["']node:/, `${entry} imports a node: module`);
      assert.doesNotMatch(code, /cloudflare:sockets/, `${entry} mentions cloudflare:sockets`);
      // Loading it where there is no Deno global (Node) must not throw.
      const loaded = await new Deno.Command("node", {
        args: ["--input-type=module", "-e", `await import(${JSON.stringify(output)})`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(loaded.success, new TextDecoder().decode(loaded.stderr));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
