/**
 * The one place that chooses a file API: Deno's on Deno, `node:fs/promises` elsewhere
 * (Node, Bun). The Node module is imported when a file is first read, so that a bundle
 * for a runtime without files (a browser using SigV4 WebSocket) still loads.
 */
export async function readTextFile(path: string): Promise<string> {
  const deno = (globalThis as { Deno?: { readTextFile?: (path: string) => Promise<string> } })
    .Deno;
  if (typeof deno?.readTextFile === "function") return deno.readTextFile(path);
  const { readFile } = await import("node:fs/promises");
  return readFile(path, "utf8");
}
