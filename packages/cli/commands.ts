/**
 * Every `tern` subcommand, loaded only when named, so `tern pub` never loads the shadow
 * or benchmark code. Adding a subcommand: a file exporting a `Command`, and its line here.
 *
 * @module
 */
import type { Command } from "./_command.ts";

/** A subcommand's name, summary and how to load it. */
export interface CommandEntry {
  /** One line for `tern --help`. */
  summary: string;
  /** Imports the subcommand's file. */
  load(): Promise<Command>;
}

/** The subcommands, by name. */
export const COMMANDS: Record<string, CommandEntry> = {
  pub: {
    summary: "publish a message (mosquitto_pub's options)",
    load: async () => (await import("./pub.ts")).pub,
  },
  sub: {
    summary: "subscribe and print messages (mosquitto_sub's options)",
    load: async () => (await import("./sub.ts")).sub,
  },
  shadow: {
    summary: "get, update, delete or watch a device shadow; serve runs the local shadow service",
    load: async () => (await import("./shadow.ts")).shadow,
  },
  broker: {
    summary: "run the embedded broker (the flags of `deno task broker`)",
    load: async () => (await import("./broker.ts")).broker,
  },
  bench: {
    summary: "measure a broker: publishers → subscribers, rates, latency, loss",
    load: async () => (await import("./bench.ts")).bench,
  },
};
