/**
 * `tern broker`: the embedded broker of `@tern/broker` (the flags of `deno task broker`,
 * parsed by the broker's own command line) until SIGINT or SIGTERM, then its summary line.
 *
 * @module
 */
import { startFromArgs, USAGE } from "@tern/broker/main";
import { onInterrupt } from "./_client.ts";
import { type Command, runCommand } from "./_command.ts";
import { UsageError } from "./_errors.ts";

/** `tern broker`. */
export const broker: Command = {
  name: "broker",
  summary: "run the embedded broker (the flags of `deno task broker`)",
  run: (args, io) =>
    runCommand("broker", io, async () => {
      if (args.includes("--help")) {
        await io.write(`Usage: tern broker [options]\n\n${USAGE}`);
        return 0;
      }
      const interrupt = onInterrupt();
      try {
        let running;
        try {
          running = await startFromArgs(args);
        } catch (error) {
          // Flags the broker's parser refused: unknown, or a number that is none.
          if (error instanceof TypeError || error instanceof RangeError) {
            throw new UsageError(error.message.replace(/^Cannot start broker: /, ""));
          }
          throw error;
        }
        await interrupt.interrupted;
        await io.write(`${await running.stop()}\n`);
        return 0;
      } finally {
        interrupt.dispose();
      }
    }),
};
