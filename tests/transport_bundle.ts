/** Bundles a test entry point into one JavaScript file for Node, Bun or workerd. */

/** Runs `deno bundle` on `entry` and returns the path of the output in `outDir`. */
export async function bundle(
  entry: string,
  options: { outDir: string; platform: "browser" | "deno"; name: string },
): Promise<string> {
  const output = `${options.outDir}/${options.name}`;
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", options.platform, "-o", output, entry],
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
