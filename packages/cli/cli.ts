/**
 * `tern <command> [options]`: finds the subcommand and runs it.
 *
 * @module
 */
import { COMMANDS } from "./commands.ts";
import { denoIo, type Io } from "./_io.ts";

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) =>
    `  ${name.padEnd(width)}  ${entry.summary}`
  );
  return `Usage: tern <command> [options]\n\nCommands:\n${lines.join("\n")}\n\n` +
    "Run 'tern <command> --help' for a command's options.\n";
}

/**
 * Runs the `tern` command line with `args` (without the program name) and resolves with
 * the exit code; output goes to `io` (this process's streams by default).
 *
 * @example Print the list of commands
 * ```ts
 * import { main } from "@tern/cli";
 *
 * const code = await main(["--help"]);
 * console.log(code); // 0
 * ```
 */
export async function main(args: string[], io: Io = denoIo()): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    await io.write(overview());
    return name === undefined ? 1 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) {
    io.error(`Error: Unknown command '${name}'.`);
    io.error("Use 'tern --help' to see the commands.");
    return 1;
  }
  const command = await entry.load();
  return await command.run(rest, io);
}
