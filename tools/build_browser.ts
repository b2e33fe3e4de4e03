/**
 * `deno task build:browser`: one minified ES module for pages, `dist/browser/tern.js`
 * (exports in tools/browser.ts), built with esbuild. Prints its size, raw and gzipped.
 *
 * @module
 */
import { bundle, type BundleResult } from "./bundle.ts";

/** Where the bundle goes. */
export const BROWSER_BUNDLE = new URL("../dist/browser/tern.js", import.meta.url);

/** Builds the browser bundle into `outfile` (default {@linkcode BROWSER_BUNDLE}). */
export async function buildBrowser(outfile: URL = BROWSER_BUNDLE): Promise<BundleResult> {
  return await bundle({
    entry: new URL("./browser.ts", import.meta.url),
    outfile: outfile.pathname,
    runtime: "browser",
    minify: true,
  });
}

/** Bytes of `data` compressed with gzip (the web's CompressionStream, default level). */
export async function gzipSize(data: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

if (import.meta.main) {
  const built = await buildBrowser();
  const gzipped = await gzipSize(await Deno.readFile(built.outfile));
  console.log(`Wrote ${built.outfile}: ${built.bytes} bytes, ${gzipped} gzipped`);
}
