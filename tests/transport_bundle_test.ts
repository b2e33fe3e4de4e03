// A browser bundle of the portable entry points pulls in no runtime-specific module: the
// runtimes' socket adapters are reached only through _sockets.ts's dynamic imports of the
// _sockets_*.ts modules, which a browser bundle marks external (packages/transport/README.md).
import assert from "node:assert/strict";
import { bundle, SOCKET_MODULES } from "./transport_bundle.ts";

Deno.test("the main, url and websocket entry points bundle for browsers without other runtimes' adapters", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-bundle-" });
  try {
    for (const entry of ["mod.ts", "websocket.ts", "url.ts"]) {
      const output = await bundle(
        new URL(`../packages/transport/${entry}`, import.meta.url).pathname,
        {
          outDir: dir,
          platform: "browser",
          name: entry.replace(".ts", ".js"),
          external: Object.values(SOCKET_MODULES),
        },
      );
      const code = await Deno.readTextFile(output);
      assert.doesNotMatch(code, /["']node:/, `${entry} imports a node: module`);
      assert.doesNotMatch(code, /cloudflare:sockets/, `${entry} mentions cloudflare:sockets`);
      if (entry !== "mod.ts") {
        // mod.ts exports the Deno adapters themselves; fromUrl and websocket reach none.
        assert.doesNotMatch(code, /Deno\.(connect|startTls)\(/, `${entry} holds Deno adapters`);
        assert.doesNotMatch(code, /Sec-WebSocket-Key/, `${entry} holds the RFC 6455 client`);
      }
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
