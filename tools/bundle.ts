/**
 * Bundles Tern for runtimes that load one JavaScript file: a browser page, a Cloudflare
 * Worker. esbuild (from npm) does the work; the plugins here resolve `@tern/*` imports the
 * way the workspace does, through each package's `deno.json` exports, and leave out the
 * socket adapters of every other runtime.
 *
 * @module
 */
import * as esbuild from "esbuild";

const packages = new URL("../packages/", import.meta.url);

/** The runtime a bundle is for. */
export type BundleRuntime = "browser" | "workerd";

// @tern/transport reaches each runtime's sockets (and, where there is no WebSocket, its
// RFC 6455 client) by dynamic import of _sockets_<runtime>.ts from _sockets.ts; esbuild
// would inline all three, so a bundle gets a stand-in for the others' modules.
const LEFT_OUT = /\/(_sockets_deno|_sockets_node|_sockets_workerd)\.ts$/;
const KEPT: Record<BundleRuntime, string[]> = {
  browser: [],
  workerd: ["_sockets_workerd"],
};
const STUBS: Record<string, (runtime: BundleRuntime) => string> = {
  _sockets_deno: (runtime) =>
    `export const sockets = ${refuse("Cannot use Deno sockets", runtime)};`,
  _sockets_node: (runtime) =>
    `export const sockets = ${refuse("Cannot use Node sockets", runtime)};`,
  _sockets_workerd: (runtime) =>
    `export const sockets = ${refuse("Cannot use Workers sockets", runtime)};`,
};

// A function that throws, saying which runtime the bundle is for.
function refuse(message: string, runtime: BundleRuntime): string {
  return `() => { throw new TypeError(${
    JSON.stringify(`${message}: this bundle is for ${runtime}`)
  }); }`;
}

/** Options of {@linkcode bundle}. */
export interface BundleOptions {
  /** The runtime that loads the bundle: only its socket adapter is kept. */
  runtime: BundleRuntime;
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
  /**
   * The workspace files whose code it contains (after tree shaking), relative to
   * `packages/` (e.g. `agent/client.ts`).
   */
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
      plugins: [ternPackages(), otherRuntimes(options.runtime)],
    });
    const output = Object.values(result.metafile.outputs)[0];
    // Only the modules whose code survived tree shaking.
    const inputs = Object.entries(output.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([path]) => new URL(path, `file://${Deno.cwd()}/`).href)
      .filter((href) => href.startsWith(packages.href))
      .map((href) => href.slice(packages.href.length));
    return { outfile: options.outfile, bytes: output.bytes, inputs };
  } finally {
    await esbuild.stop();
  }
}

// The modules of LEFT_OUT not kept for the runtime resolve to their STUBS.
function otherRuntimes(runtime: BundleRuntime): esbuild.Plugin {
  return {
    name: "other-runtimes",
    setup(build) {
      build.onResolve({ filter: LEFT_OUT }, ({ path }) => {
        const name = LEFT_OUT.exec(path)![1];
        if (KEPT[runtime].includes(name)) return undefined;
        return { path: name, namespace: "left-out" };
      });
      build.onLoad({ filter: /.*/, namespace: "left-out" }, ({ path }) => ({
        contents: STUBS[path](runtime),
        loader: "js",
      }));
    },
  };
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
        // A WebAssembly file stays an import, next to the bundle: Workers compile it (the
        // Wrangler `CompiledWasm` rule, workerd's `wasm` module) and hand over a Module.
        if (target.endsWith(".wasm")) return { path: target, external: true };
        return { path: new URL(target, dir).pathname };
      });
    },
  };
}
