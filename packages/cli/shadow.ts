/**
 * `tern shadow get|update|delete|watch <thing>`: the device shadow client of `@tern/shadow`
 * from the shell, against AWS IoT Core (`--aws-endpoint`) or the local shadow service
 * (`tern shadow serve`, in `shadow_serve.ts`). Documents go to stdout as one JSON line each.
 *
 * @module
 */
import { asMqttLike, type MqttClient } from "@tern/agent";
import { type JsonObject, ShadowClient, ShadowError } from "@tern/shadow";
import { helpText, integer, type OptionSpec, parseArgs } from "./_args.ts";
import { onInterrupt, startClient } from "./_client.ts";
import { type Command, runCommand } from "./_command.ts";
import { CONNECTION_OPTIONS, connectionOf } from "./_connection.ts";
import { failure, usage } from "./_errors.ts";
import type { Io } from "./_io.ts";
import { parseProperties } from "./_properties.ts";
import { readAll } from "./_stdin.ts";

const OPTIONS: OptionSpec[] = [
  {
    names: ["--name"],
    key: "name",
    kind: "value",
    arg: "shadow",
    help: "named shadow (default: the classic shadow)",
  },
  {
    names: ["--version"],
    key: "shadowVersion",
    kind: "value",
    arg: "n",
    help: "update: apply only if the stored version is n (else 409)",
  },
  {
    names: ["--deltas"],
    key: "deltas",
    kind: "flag",
    help: "watch: print the deltas instead of the documents",
  },
  {
    names: ["-C"],
    key: "count",
    kind: "value",
    arg: "count",
    help: "watch: exit after this many events",
  },
  {
    names: ["--timeout"],
    key: "timeout",
    kind: "value",
    arg: "seconds",
    help: "wait for a response (default 10)",
  },
  ...CONNECTION_OPTIONS,
  { names: ["--help"], key: "help", kind: "flag", help: "show this text" },
];

const USAGE = `tern shadow get <thing> [--name shadow] [options]
       tern shadow update <thing> '<state json>' | - [--version n] [options]
       tern shadow delete <thing> [options]
       tern shadow watch <thing> [--deltas] [-C count] [options]
       tern shadow serve [options]    (tern shadow serve --help)`;

const DESCRIPTION = "Reads and changes an AWS IoT device shadow on any broker. The update state " +
  'is {"desired": {...}, "reported": {...}} (null deletes); "-" reads it from stdin.';

const VERBS = ["get", "update", "delete", "watch"];

/** `tern shadow`. */
export const shadow: Command = {
  name: "shadow",
  summary: "get, update, delete or watch a device shadow; serve runs the local shadow service",
  async run(args, io) {
    if (args[0] === "serve") {
      return (await import("./shadow_serve.ts")).shadowServe.run(args.slice(1), io);
    }
    return runCommand("shadow", io, async (context) => {
      const parsed = parseArgs(args, OPTIONS, { positionals: true });
      const v = parsed.values as Record<string, string | undefined>;
      const flags = parsed.values as Record<string, boolean | undefined>;
      if (flags.help) {
        await io.write(helpText(USAGE, DESCRIPTION, OPTIONS));
        return 0;
      }
      context.quiet = flags.quiet ?? false;
      const [verb, thingName, stateText, ...extra] = parsed.positionals;
      if (verb === undefined || !VERBS.includes(verb)) {
        throw usage(
          verb === undefined ? "No shadow command given." : `Unknown shadow command '${verb}'.`,
        );
      }
      if (thingName === undefined) throw usage(`No thing name given to ${verb}.`);
      if ((verb === "update") !== (stateText !== undefined) || extra.length > 0) {
        throw usage(
          verb === "update"
            ? "update needs the state as JSON."
            : `Unexpected argument '${stateText ?? extra[0]}'.`,
        );
      }
      const timeoutMs = v.timeout === undefined
        ? undefined
        : integer(v.timeout, 1, 3600, `Invalid timeout "${v.timeout}".`) * 1000;
      const version = v.shadowVersion === undefined ? undefined : integer(
        v.shadowVersion,
        0,
        Number.MAX_SAFE_INTEGER,
        `Invalid version "${v.shadowVersion}".`,
      );
      const count = v.count === undefined
        ? undefined
        : integer(v.count, 1, Number.MAX_SAFE_INTEGER, `Invalid event count "${v.count}".`);
      const state = stateText === undefined ? undefined : await stateOf(stateText, io);

      const connection = await connectionOf(parsed, parseProperties([], []), io);
      context.protocolVersion = connection.protocolVersion;
      const client = await startClient(connection.client, { reconnect: verb === "watch" });
      const shadowClient = new ShadowClient(asMqttLike(client), {
        thingName,
        shadowName: v.name,
        timeoutMs,
      });
      try {
        switch (verb) {
          case "get":
            return await print(io, await shadowClient.get());
          case "update":
            return await print(io, await shadowClient.update(state!, { version }));
          case "delete":
            return await print(io, await shadowClient.delete());
          default:
            return await watch(io, client, shadowClient, { deltas: flags.deltas ?? false, count });
        }
      } catch (error) {
        if (error instanceof ShadowError) {
          throw failure(`Error: ${verb} rejected: ${error.code} ${error.message}`, 1);
        }
        throw error;
      } finally {
        await shadowClient.close();
        await client.stop();
      }
    });
  },
};

async function stateOf(text: string, io: Io): Promise<JsonObject> {
  const source = text === "-" ? new TextDecoder().decode(await readAll(io.stdin)) : text;
  let state: unknown;
  try {
    state = JSON.parse(source);
  } catch (error) {
    throw usage(`The state is not JSON: ${(error as Error).message}.`);
  }
  if (state === null || typeof state !== "object" || Array.isArray(state)) {
    throw usage('The state must be a JSON object: {"desired": {...}, "reported": {...}}.');
  }
  return state as JsonObject;
}

async function print(io: Io, document: unknown): Promise<number> {
  await io.write(JSON.stringify(document) + "\n");
  return 0;
}

async function watch(
  io: Io,
  client: MqttClient,
  shadowClient: ShadowClient,
  options: { deltas: boolean; count?: number },
): Promise<number> {
  const stop = new AbortController();
  const interrupt = onInterrupt();
  interrupt.interrupted.then(() => stop.abort());
  const stopped = Promise.withResolvers<number>();
  client.on("stopped", ({ error }) => {
    if (error) stopped.reject(error);
  });
  stopped.promise.catch(() => {});
  try {
    const events = options.deltas
      ? await shadowClient.deltas({ signal: stop.signal })
      : await shadowClient.documents({ signal: stop.signal });
    let seen = 0;
    const printing = (async () => {
      for await (const event of events as AsyncIterable<unknown>) {
        await io.write(JSON.stringify(event) + "\n");
        if (options.count !== undefined && ++seen >= options.count) break;
      }
      return 0;
    })();
    return await Promise.race([
      printing.catch((error) => {
        if (stop.signal.aborted) return 0;
        throw error;
      }),
      stopped.promise,
    ]);
  } finally {
    interrupt.dispose();
  }
}
