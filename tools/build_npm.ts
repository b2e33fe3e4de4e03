/**
 * `deno task build:npm`: one npm tarball per package in `dist/npm/`, as `npm pack` writes
 * them: ESM JavaScript and `.d.ts` types compiled from the modules the package's `exports`
 * reach, its README, the LICENSE, and a `package.json` whose `exports`, `engines` and
 * `dependencies` (the other `@tern/*` packages, at their versions) follow from `deno.json`.
 *
 * The TypeScript compiler from npm does the work (JSR's dnt is not reachable here): one
 * program over every package, so that `@tern/*` imports resolve to the workspace sources.
 *
 * @module
 */
import ts from "typescript";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * The Node versions every tarball claims to run on: the Node 20 LTS line (20.9 on), which
 * CI tests as the oldest; it has everything the packages use (`Symbol.asyncDispose` came
 * in 20.4, `Promise.withResolvers` only in 22, so nothing uses it).
 */
const NODE_ENGINE = ">=20.9";

/** What `deno.json` of a workspace member says, and where it lives. */
interface Member {
  dir: string;
  name: string;
  version: string;
  exports: Record<string, string>;
  /** Exports that are files shipped as they are, not modules (`./codec.wasm` for Workers). */
  assets: Record<string, string>;
  /** Source files (absolute paths) that the exports reach through relative imports. */
  files: string[];
}

const RELATIVE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.\.?\/[^"']+)["']/g;

/** The specifiers a module imports or re-exports, dynamic imports included (not comments). */
async function imports(file: string): Promise<string[]> {
  const info = ts.preProcessFile(await Deno.readTextFile(file), true, true);
  return info.importedFiles.map((imported) => imported.fileName);
}

/** Builds every tarball; returns their paths. */
export async function buildNpm(outDir = join(root, "dist/npm")): Promise<string[]> {
  const members = await readMembers();
  const staging = await Deno.makeTempDir({ prefix: "tern-npm-" });
  try {
    compile(members, staging);
    await Deno.remove(outDir, { recursive: true }).catch(() => {});
    await Deno.mkdir(outDir, { recursive: true });
    const versions = new Map(members.map((m) => [m.name, m.version]));
    const tarballs: string[] = [];
    for (const member of members) {
      const dir = join(staging, relative(join(root, "packages"), member.dir));
      for (const path of Object.values(member.assets)) {
        await Deno.copyFile(join(member.dir, path), join(dir, path));
      }
      await writeManifest(member, dir, versions);
      await Deno.copyFile(join(member.dir, "README.md"), join(dir, "README.md"));
      await Deno.copyFile(join(root, "LICENSE"), join(dir, "LICENSE"));
      tarballs.push(await pack(dir, outDir));
    }
    return tarballs;
  } finally {
    await Deno.remove(staging, { recursive: true });
  }
}

/**
 * Packages that run only under Deno and so get no npm tarball: the `tern` command reads
 * stdin, signals and files through Deno's APIs, and is run as `deno run -A jsr:@tern/cli`.
 */
export const DENO_ONLY: ReadonlySet<string> = new Set(["@tern/cli"]);

async function readMembers(): Promise<Member[]> {
  const members: Member[] = [];
  for await (const entry of Deno.readDir(join(root, "packages"))) {
    const dir = join(root, "packages", entry.name);
    const config = JSON.parse(await Deno.readTextFile(join(dir, "deno.json")).catch(() => "{}"));
    if (typeof config.name !== "string" || DENO_ONLY.has(config.name)) continue;
    const all: Record<string, string> = typeof config.exports === "string"
      ? { ".": config.exports }
      : config.exports;
    const isModule = ([, path]: [string, string]) => path.endsWith(".ts");
    const exports = Object.fromEntries(Object.entries(all).filter(isModule));
    const assets = Object.fromEntries(Object.entries(all).filter((entry) => !isModule(entry)));
    const entries = Object.values(exports).map((path) => join(dir, path));
    members.push({
      dir,
      name: config.name,
      version: config.version,
      exports,
      assets,
      files: await reachable(entries),
    });
  }
  return members.sort((a, b) => a.name.localeCompare(b.name));
}

/** The modules `entries` import, directly or not, through relative specifiers. */
async function reachable(entries: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of await imports(file)) {
      if (specifier.startsWith(".")) queue.push(join(dirname(file), specifier));
    }
  }
  return [...seen].sort();
}

/** Emits `.js` and `.d.ts` for every member's files into `staging/<package folder>/`. */
function compile(members: Member[], staging: string): void {
  const paths: Record<string, string[]> = {};
  for (const member of members) {
    for (const [key, path] of Object.entries(member.exports)) {
      paths[key === "." ? member.name : `${member.name}/${key.slice(2)}`] = [
        join(member.dir, path),
      ];
    }
  }
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts", "lib.esnext.disposable.d.ts"],
    types: [],
    declaration: true,
    rewriteRelativeImportExtensions: true,
    strict: true,
    skipLibCheck: true,
    rootDir: join(root, "packages"),
    outDir: staging,
    paths,
    newLine: ts.NewLineKind.LineFeed,
  };
  const files = members.flatMap((member) => member.files);
  const program = ts.createProgram(files, options);
  const wanted = new Set(files);
  const result = program.emit(undefined, (fileName, text) => {
    Deno.mkdirSync(dirname(fileName), { recursive: true });
    // Declarations keep the sources' `.ts` specifiers; npm consumers resolve `.js`.
    Deno.writeTextFileSync(
      fileName,
      text.replace(
        RELATIVE,
        (match, specifier: string) => match.replace(specifier, specifier.replace(/\.ts$/, ".js")),
      ),
    );
  });
  // Type errors are `deno check`'s business (Deno's globals and node: modules are unknown
  // to this program); only a failure to emit a wanted file stops the build.
  if (result.emitSkipped) {
    throw new Error("Cannot build the npm packages: TypeScript emitted nothing");
  }
  for (const file of wanted) {
    const js = join(staging, relative(join(root, "packages"), file)).replace(/\.ts$/, ".js");
    Deno.statSync(js);
  }
}

async function writeManifest(
  member: Member,
  dir: string,
  versions: Map<string, string>,
): Promise<void> {
  const exports: Record<string, { types: string; default: string } | string> = {};
  for (const [key, path] of Object.entries(member.exports)) {
    const base = path.replace(/\.ts$/, "");
    exports[key] = { types: `${base}.d.ts`, default: `${base}.js` };
  }
  Object.assign(exports, member.assets);
  const dependencies: Record<string, string> = {};
  for (const file of member.files) {
    for (const specifier of await imports(file)) {
      const name = /^@tern\/[a-z-]+/.exec(specifier)?.[0];
      if (name === undefined || name === member.name) continue;
      const version = versions.get(name);
      if (!version) throw new Error(`Cannot build ${member.name}: it imports unknown ${name}`);
      dependencies[name] = version;
    }
  }
  const files = await Array.fromAsync(Deno.readDir(dir));
  const manifest = {
    name: member.name,
    version: member.version,
    description: await description(member.dir),
    license: "MIT",
    type: "module",
    exports,
    engines: { node: NODE_ENGINE },
    ...(Object.keys(dependencies).length > 0 ? { dependencies: sorted(dependencies) } : {}),
    // Browser bundlers drop the Deno and Node socket adapters (packages/transport/README.md).
    ...(files.some((f) => f.name === "_sockets_node.js")
      ? { browser: { "./_sockets_deno.js": false, "./_sockets_node.js": false } }
      : {}),
  };
  await Deno.writeTextFile(join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
}

/** The README's first paragraph, as one line. */
async function description(dir: string): Promise<string> {
  const readme = await Deno.readTextFile(join(dir, "README.md"));
  const paragraph = readme.split(/\n\s*\n/).find((block) => !block.startsWith("#")) ?? "";
  return paragraph.replace(/\s+/g, " ").trim();
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

async function pack(dir: string, outDir: string): Promise<string> {
  const output = await new Deno.Command("npm", {
    args: ["pack", "--json", "--pack-destination", outDir],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`Cannot pack ${dir}: ${new TextDecoder().decode(output.stderr)}`);
  }
  const [{ filename }] = JSON.parse(new TextDecoder().decode(output.stdout));
  return join(outDir, filename);
}

if (import.meta.main) {
  for (const tarball of await buildNpm()) console.log(relative(root, tarball));
}
