import assert from "node:assert/strict";
import type { Io } from "./_io.ts";
import { main } from "./cli.ts";

/** An Io that keeps what was written. */
function memoryIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    write(data: Uint8Array | string) {
      io.stdout += typeof data === "string" ? data : new TextDecoder().decode(data);
      return Promise.resolve();
    },
    error(line: string) {
      io.stderr += line + "\n";
    },
    stdin: new ReadableStream<Uint8Array>({ start: (controller) => controller.close() }),
    env: () => undefined,
  };
  return io;
}

Deno.test("main() lists the commands for --help (exit 0) and without arguments (exit 1)", async () => {
  for (const [args, code] of [[["--help"], 0], [[], 1]] as const) {
    const io = memoryIo();
    assert.equal(await main([...args], io), code);
    for (const name of ["pub", "sub", "shadow", "bench"]) {
      assert.match(io.stdout, new RegExp(`\\n  ${name} `));
    }
    assert.equal(io.stderr, "");
  }
});

Deno.test("main() refuses an unknown command", async () => {
  const io = memoryIo();
  assert.equal(await main(["publish"], io), 1);
  assert.equal(
    io.stderr,
    "Error: Unknown command 'publish'.\nUse 'tern --help' to see the commands.\n",
  );
});

Deno.test("every command answers --help on stdout with exit 0", async () => {
  for (const command of [["pub"], ["sub"], ["shadow"], ["shadow", "serve"], ["bench"]]) {
    const io = memoryIo();
    assert.equal(await main([...command, "--help"], io), 0, command.join(" "));
    assert.match(io.stdout, new RegExp(`^Usage: tern ${command.join(" ")} `), command.join(" "));
    assert.match(io.stdout, /\n {2}-h, --host <host> /);
    assert.equal(io.stderr, "");
  }
});
