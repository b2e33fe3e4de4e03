/**
 * Bundles Tern for runtimes that load one JavaScript file: a browser page, a Cloudflare
 * Worker. esbuild (from npm) does the work; the plugin here resolves `@tern/*` imports the
 * way the workspace does, through each package's `deno.json` exports.
 *
 * @module
 */
import * as esbuild from "esbuild";

const packages = new URL("../packages/", import.meta.url);

/** Options of {@linkcode bundle}. */
export interface BundleOptions {
  /** The entry module (a path or file URL). */
  entry: string | URL;
  /** Where to write the bundle. */
  outfile: string;
  /** Minify identifiers, syntax and whitespace. Default false. */
  minify?: boolean;
  /** Imports left as they are, for the runtime to resolve (`cloudflare:sockets`, a `.wasm`). */
  external?: string[];
}

/** What {@linkcode bundle} wrote. */
export interface BundleResult {
  /** Path of the bundle. */
  outfile: string;
  /** Its size in bytes. */
  bytes: number;
  /** The workspace files it contains, relative to `packages/` (e.g. `agent/client.ts`). */
  inputs: string[];
}

/**
 * Writes one ES module with everything `entry` imports statically or dynamically, except
 * `external` imports.
 */
export async function bundle(options: BundleOptions): Promise<BundleResult> {
  const entry = options.entry instanceof URL ? options.entry.pathname : options.entry;
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      outfile: options.outfile,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: options.minify ?? false,
      external: options.external ?? [],
      metafile: true,
      logLevel: "silent",
      plugins: [ternPackages()],
    });
    const inputs = Object.keys(result.metafile.inputs)
      .map((path) => new URL(path, `file://${Deno.cwd()}/`).href)
      .filter((href) => href.startsWith(packages.href))
      .map((href) => href.slice(packages.href.length));
    const output = Object.values(result.metafile.outputs)[0];
    return { outfile: options.outfile, bytes: output.bytes, inputs };
  } finally {
    await esbuild.stop();
  }
}

// `@tern/<name>[/<subpath>]` → the file the package's deno.json exports for it.
function ternPackages(): esbuild.Plugin {
  return {
    name: "tern-packages",
    setup(build) {
      build.onResolve({ filter: /^@tern\// }, async ({ path }) => {
        const [, name, ...rest] = path.split("/");
        const subpath = rest.length === 0 ? "." : `./${rest.join("/")}`;
        const dir = new URL(`${name}/`, packages);
        const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", dir)));
        const exports: Record<string, string> = typeof config.exports === "string"
          ? { ".": config.exports }
          : config.exports;
        const target = exports[subpath];
        if (target === undefined) {
          return {
            errors: [{ text: `Cannot resolve ${path}: @tern/${name} exports no "${subpath}"` }],
          };
        }
        return { path: new URL(target, dir).pathname };
      });
    },
  };
}
