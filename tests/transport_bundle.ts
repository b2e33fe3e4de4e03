/** Bundles a test entry point into one JavaScript file for Node, Bun or workerd. */

/**
 * The modules that hold each runtime's sockets (packages/transport/_sockets_*.ts), as
 * `--external` patterns: a bundle for a runtime leaves the others' out this way.
 */
export const SOCKET_MODULES = {
  deno: "*/_sockets_deno.ts",
  node: "*/_sockets_node.ts",
  workerd: "*/_sockets_workerd.ts",
};

/** Runs `deno bundle` on `entry` and returns the path of the output in `outDir`. */
export async function bundle(
  entry: string,
  options: { outDir: string; platform: "browser" | "deno"; name: string; external?: string[] },
): Promise<string> {
  const output = `${options.outDir}/${options.name}`;
  const external = (options.external ?? []).flatMap((pattern) => ["--external", pattern]);
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", options.platform, ...external, "-o", output, entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(`Cannot bundle ${entry}: ${new TextDecoder().decode(result.stderr)}`);
  }
  return output;
}

/** Lower-case hex of each byte array, for comparing exchanges across runtimes. */
export function hex(chunks: Uint8Array[]): string[] {
  return chunks.map((bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));
}
