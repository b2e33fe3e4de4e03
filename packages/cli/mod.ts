/**
 * `@tern/cli`: the `tern` command line. `tern pub` and `tern sub` take mosquitto_pub's and
 * mosquitto_sub's options, exit codes and error lines; `tern shadow` is the device shadow
 * client and the local shadow service; `tern bench` measures a broker.
 *
 * Run it with `deno run -A jsr:@tern/cli <command> ...`, or `deno task tern ...` in the
 * repository.
 *
 * @example Run a command from code
 * ```ts
 * import { main } from "@tern/cli";
 *
 * const code = await main(["pub", "--help"]);
 * console.log(code); // 0
 * ```
 *
 * @module
 */
import { main } from "./cli.ts";

export { main };
export type { Io } from "./_io.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
