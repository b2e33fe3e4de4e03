// The embedded broker in a browser tab: tests/broker_browser_entry.ts bundled for browsers
// and loaded by headless Chromium (Debian: chromium), with MqttClient on broker.connect().
import assert from "node:assert/strict";
import { bundle } from "./transport_bundle.ts";

Deno.test("an embedded broker and MqttClient exchange a message inside a headless Chromium tab", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-broker-browser-" });
  try {
    await bundle(new URL("./broker_browser_entry.ts", import.meta.url).pathname, {
      outDir: dir,
      platform: "browser",
      name: "entry.js",
    });
    await Deno.writeTextFile(
      `${dir}/index.html`,
      '<!doctype html><html><body>pending</body><script type="module" src="entry.js"></script></html>',
    );
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command("chromium", {
        args: [
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          `--user-data-dir=${dir}/profile`,
          "--allow-file-access-from-files",
          // Lets the page's promises settle before the DOM is printed.
          "--virtual-time-budget=10000",
          "--dump-dom",
          `file://${dir}/index.html`,
        ],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(60_000),
      }).output();
    } catch (error) {
      throw new Error("Cannot run chromium: is it installed? (apt-get install chromium)", {
        cause: error,
      });
    }
    const dom = new TextDecoder().decode(output.stdout);
    assert.match(
      dom,
      /<body>echo: hello from the tab<\/body>/,
      dom + new TextDecoder().decode(output.stderr),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
