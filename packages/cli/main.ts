/**
 * The `tern` executable of this repository: `deno task tern ...` and the tests run it
 * (`deno run -A packages/cli/main.ts ...`). Published, `mod.ts` runs the same way.
 *
 * @module
 */
import { main } from "./mod.ts";

Deno.exit(await main(Deno.args));
