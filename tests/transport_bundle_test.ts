// An edge or browser bundle of the portable entry points pulls in no runtime-specific module.
import assert from "node:assert/strict";
import { bundle } from "../tools/bundle.ts";

Deno.test("the main and websocket entry points bundle for browsers without node: or cloudflare: imports", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-bundle-" });
  try {
    for (const entry of ["mod.ts", "websocket.ts", "url.ts"]) {
      // esbuild inlines dynamic imports: tools/bundle.ts leaves each runtime's socket module
      // out (packages/transport/README.md, "Choosing the runtime's sockets").
      const { outfile: output, inputs } = await bundle({
        entry: new URL(`../packages/transport/${entry}`, import.meta.url),
        outfile: `${dir}/${entry.replace(".ts", ".js")}`,
        runtime: "browser",
      });
      const code = await Deno.readTextFile(output);
      assert.doesNotMatch(code, /["']node:/, `${entry} imports a node: module`);
      assert.doesNotMatch(code, /cloudflare:sockets/, `${entry} mentions cloudflare:sockets`);
      for (const input of inputs) assert.doesNotMatch(input, /_sockets_|node\.ts|cloudflare\.ts/);
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
