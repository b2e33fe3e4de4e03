/**
 * Tern installed the way each runtime's users install it, running the whole client flow
 * (tests/runtimes/flow.mjs) against a mosquitto started here, over mqtt://, mqtts:// with a
 * client certificate, and ws://:
 *
 * - Node 20 (`node` on the PATH), Node 22 (`npm install --prefix .cache/node22 node@22`) and
 *   Bun, from the npm tarballs `deno task build:npm` makes, installed into a scratch project
 *   with `npm install <tarballs>`; there also the AWS mutual-TLS builder reading PEM files,
 *   and SqliteStore and SqliteShadowStore (or, on Node 20, their errors);
 * - Deno with `--allow-net` only, as a JSR consumer outside the workspace: its own deno.json
 *   maps each `@tern/*` export, and nothing else, to the package folders.
 *
 * - one `deno bundle` of the client that keeps every runtime's adapters connects over
 *   mqtt:// and ws:// under Node 20, Bun and Deno;
 * - TypeScript (`tsc` from npm, NodeNext resolution, no @types/node) type-checks a program
 *   that imports every package through the tarballs' `exports` and `.d.ts` files.
 *
 * The tarballs are built once per run, into a scratch folder shared by every test here.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { buildNpm, DENO_ONLY } from "../tools/build_npm.ts";
import { type Broker, startBroker } from "./support/broker.ts";
import { generateCertificates, type TestCertificates } from "./support/certs.ts";
import { bundle } from "./transport_bundle.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const scripts = ["flow.mjs", "aws_sqlite.mjs", "types_consumer.ts"];

interface Runtime {
  name: string;
  command: string;
  /** Arguments before the script. */
  args: string[];
  /** The major version CI tests, checked so that a wrong binary fails the test. */
  major?: number;
  install: string;
}

const node22 = Deno.env.get("TERN_NODE22") ?? `${root}.cache/node22/node_modules/.bin/node`;
const npmRuntimes: Runtime[] = [
  { name: "Node 20", command: "node", args: [], major: 20, install: "apt-get install nodejs" },
  {
    name: "Node 22",
    command: node22,
    args: [],
    major: 22,
    install: "npm install --prefix .cache/node22 node@22 (or set TERN_NODE22)",
  },
  { name: "Bun", command: "bun", args: [], install: "npm install -g bun" },
];

/** Where the flow scripts run from: the npm project and the Deno consumer, made once. */
interface Projects {
  dir: string;
  npm: string;
  deno: string;
}

let projects: Promise<Projects> | undefined;
let tarballs: string[] = [];

function sharedProjects(): Promise<Projects> {
  projects ??= makeProjects();
  return projects;
}

async function makeProjects(): Promise<Projects> {
  const dir = await Deno.makeTempDir({ prefix: "tern-runtimes-" });
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  tarballs = await buildNpm(`${dir}/tarballs`);
  const npm = `${dir}/npm-project`;
  await Deno.mkdir(npm);
  await Deno.writeTextFile(
    `${npm}/package.json`,
    JSON.stringify({ name: "tern-consumer", private: true, type: "module" }),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--offline", ...tarballs], npm);

  const deno = `${dir}/deno-project`;
  await Deno.mkdir(deno);
  const imports: Record<string, string> = {};
  for await (const entry of Deno.readDir(`${root}packages`)) {
    const folder = `${root}packages/${entry.name}`;
    const config = JSON.parse(await Deno.readTextFile(`${folder}/deno.json`));
    const exports = typeof config.exports === "string" ? { ".": config.exports } : config.exports;
    for (const [key, path] of Object.entries(exports as Record<string, string>)) {
      const name = key === "." ? config.name : `${config.name}/${key.slice(2)}`;
      imports[name] = new URL(path, `file://${folder}/`).href;
    }
  }
  await Deno.writeTextFile(`${deno}/deno.json`, JSON.stringify({ imports }, null, 2));
  for (const script of scripts) {
    const source = new URL(`./runtimes/${script}`, import.meta.url);
    await Deno.copyFile(source, `${npm}/${script}`);
    await Deno.copyFile(source, `${deno}/${script}`);
  }
  return { dir, npm, deno };
}

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`${command} ${args.join(" ")} failed: ${stderr}`);
  return new TextDecoder().decode(output.stdout);
}

async function checkRuntime(runtime: Runtime): Promise<void> {
  let version: string;
  try {
    version = (await run(runtime.command, ["--version"], root)).trim();
  } catch (error) {
    throw new Error(`Cannot run ${runtime.name} (${runtime.command}): ${runtime.install}`, {
      cause: error,
    });
  }
  if (runtime.major !== undefined) {
    assert.match(version, new RegExp(`^v${runtime.major}\\.`), `${runtime.name} is ${version}`);
  }
}

/** Runs the flow script; restarts the broker when the script asks. */
async function runFlow(
  runtime: Runtime,
  cwd: string,
  broker: Broker,
  settings: Record<string, unknown>,
): Promise<{ result: Record<string, unknown>; stderr: string }> {
  const child = new Deno.Command(runtime.command, {
    args: [...runtime.args, "flow.mjs", JSON.stringify(settings)],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines: string[] = [];
  let buffered = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line === "restart-broker") {
        await broker.kill();
        await broker.restart();
      } else {
        lines.push(line);
      }
    }
  }
  const status = await child.status;
  const errors = await stderr;
  assert.ok(status.success, `${runtime.name} failed: ${lines.join("\n")}\n${errors}`);
  return { result: JSON.parse(lines.at(-1)!), stderr: errors };
}

const FLOWS = ["mqtt://", "mqtts:// with a client certificate", "ws://"] as const;

function flowSettings(flow: typeof FLOWS[number], broker: Broker, certs: TestCertificates) {
  if (flow === "mqtt://") return { url: broker.url };
  if (flow === "ws://") return { url: `ws://127.0.0.1:${broker.wsPort}/mqtt` };
  return {
    url: `mqtts://localhost:${broker.mtlsPort}`,
    transportOptions: {
      caCerts: [certs.pem.caCert],
      cert: certs.pem.clientCert,
      key: certs.pem.clientKey,
    },
  };
}

const expectedFlow = {
  granted: [2],
  echoes: [
    { topic: "echo", payload: "qos 0", qos: 0 },
    { topic: "echo", payload: "qos 1", qos: 1 },
    { topic: "echo", payload: "qos 2", qos: 2 },
  ],
  handlerThrew: true,
  afterThrow: { topic: "echo", payload: "still running", qos: 1 },
  reconnected: true,
  // mosquitto runs without persistence: the restarted broker lost the session, so the
  // client had to subscribe again for the last echo to arrive.
  sessionPresentAfterRestart: false,
  afterRestart: { topic: "echo", payload: "after restart", qos: 1 },
};

async function flowSteps(
  t: Deno.TestContext,
  runtime: Runtime,
  cwd: string,
  options: { logsHandlerErrors: boolean },
): Promise<void> {
  const certs = await generateCertificates();
  try {
    for (const flow of FLOWS) {
      await t.step(`${runtime.name} over ${flow}`, async () => {
        await using broker = await startBroker({ certificates: certs, websocket: true });
        const clientId = `flow-${runtime.name.replace(/\W/g, "")}-${crypto.randomUUID()}`;
        const { result, stderr } = await runFlow(runtime, cwd, broker, {
          ...flowSettings(flow, broker, certs),
          clientId,
        });
        assert.deepEqual(result, expectedFlow);
        if (options.logsHandlerErrors) assert.match(stderr, /A handler failing on purpose/);
      });
    }
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
}

for (const runtime of npmRuntimes) {
  Deno.test(`the npm tarballs run the client flow under ${runtime.name}`, async (t) => {
    await checkRuntime(runtime);
    const { npm } = await sharedProjects();
    await flowSteps(t, runtime, npm, { logsHandlerErrors: true });

    await t.step(`${runtime.name}: the AWS mTLS builder reads files; SqliteStore`, async () => {
      const certs = await generateCertificates();
      try {
        await using broker = await startBroker({ certificates: certs });
        const settings = {
          port: broker.mtlsPort,
          clientId: `aws-${crypto.randomUUID()}`,
          certFile: certs.clientCert,
          keyFile: certs.clientKey,
          caFile: certs.caCert,
          dbPath: `${certs.dir}/session.db`,
        };
        const output = await run(
          runtime.command,
          [...runtime.args, "aws_sqlite.mjs", JSON.stringify(settings)],
          npm,
        );
        const result = JSON.parse(output.trim().split("\n").at(-1)!);
        // 0x10 No matching subscribers: mosquitto took the publish, and no one listens.
        assert.equal(result.awsPuback, 0x10);
        if (runtime.major === 20) {
          assert.deepEqual(Object.keys(result), ["awsPuback", "sqliteError", "shadowSqliteError"]);
          assert.match(
            result.sqliteError,
            /^Cannot open session store: Node 20\.\d+\.\d+ has no node:sqlite; use MemoryStore, or run on Node 22\.13 or later, Bun or Deno$/,
          );
          assert.match(
            result.shadowSqliteError,
            /^Cannot open shadow store: Node 20\.\d+\.\d+ has no node:sqlite; use MemoryShadowStore, /,
          );
        } else {
          assert.deepEqual(result, { awsPuback: 0x10, sqlite: [7], shadowSqlite: 3 });
        }
      } finally {
        await Deno.remove(certs.dir, { recursive: true });
      }
    });
  });
}

Deno.test(
  "a JSR-style consumer runs the client flow under Deno with --allow-net only",
  async (t) => {
    const { deno } = await sharedProjects();
    const runtime: Runtime = {
      name: "Deno",
      command: Deno.execPath(),
      args: ["run", "--allow-net", "--no-lock", "--config", `${deno}/deno.json`],
      install: "npm install -g deno",
    };
    await flowSteps(t, runtime, deno, { logsHandlerErrors: false });
  },
);

Deno.test("the npm tarballs' types check under tsc with NodeNext resolution", async () => {
  const { npm } = await sharedProjects();
  const program = ts.createProgram([`${npm}/types_consumer.ts`], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.esnext.d.ts", "lib.dom.d.ts"],
    types: [],
    strict: true,
    noEmit: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, "\n")
  );
  assert.deepEqual(diagnostics, []);
});

Deno.test("build:npm packs each package with its README, LICENSE, JavaScript and types", async () => {
  await sharedProjects();
  const versions = new Map<string, string>();
  for await (const entry of Deno.readDir(`${root}packages`)) {
    const config = JSON.parse(await Deno.readTextFile(`${root}packages/${entry.name}/deno.json`));
    if (!DENO_ONLY.has(config.name)) versions.set(config.name, config.version);
  }
  const names = tarballs.map((path) => path.slice(path.lastIndexOf("/") + 1)).sort();
  const expected = [...versions].map(([name, version]) =>
    `${name.slice(1).replace("/", "-")}-${version}.tgz`
  );
  assert.deepEqual(names, expected.sort());
  for (const tarball of tarballs) {
    const files = (await run("tar", ["tzf", tarball], root)).trim().split("\n");
    const manifest = JSON.parse(
      await run("tar", ["xzf", tarball, "-O", "package/package.json"], root),
    );
    for (const file of ["README.md", "LICENSE", "mod.js", "mod.d.ts"]) {
      assert.ok(files.includes(`package/${file}`), `${tarball} lacks ${file}`);
    }
    const sources = files.filter((file) => /_test\.|testdata|(?<!\.d)\.ts$/.test(file));
    assert.deepEqual(sources, [], `${tarball} holds sources or tests`);
    assert.equal(manifest.type, "module");
    assert.deepEqual(manifest.engines, { node: ">=20.9" });
    assert.deepEqual(manifest.exports["."], { types: "./mod.d.ts", default: "./mod.js" });
    for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
      assert.equal(version, versions.get(name), `${manifest.name} → ${name}`);
    }
  }
});

Deno.test("one bundle that keeps every adapter connects under Node 20, Bun and Deno", async () => {
  const { dir } = await sharedProjects();
  const entry = await bundle(new URL("./runtimes/bundle_entry.ts", import.meta.url).pathname, {
    outDir: dir,
    platform: "deno",
    name: "bundle_entry.mjs",
  });
  await using broker = await startBroker({ websocket: true });
  const settings = JSON.stringify({
    url: broker.url,
    wsUrl: `ws://127.0.0.1:${broker.wsPort}/mqtt`,
  });
  const runtimes: [string, string[]][] = [
    ["node", [entry, settings]],
    ["bun", [entry, settings]],
    [Deno.execPath(), ["run", "--allow-net", entry, settings]],
  ];
  for (const [command, args] of runtimes) {
    // 0x10 No matching subscribers, over TCP and over WebSocket.
    assert.deepEqual(JSON.parse(await run(command, args, dir)), [0x10, 0x10], command);
  }
});
