/**
 * `tern shadow serve`: the local shadow service of `@tern/shadow` on any broker, until
 * SIGINT or SIGTERM (`deno task shadow-service` runs it too). Shadows live in memory, or in
 * SQLite with `--sqlite`.
 *
 * @module
 */
import { asMqttLike } from "@tern/agent";
import { MemoryShadowStore, ShadowService, type ShadowStore } from "@tern/shadow";
import { SqliteShadowStore } from "@tern/shadow/sqlite";
import { helpText, integer, type OptionSpec, parseArgs } from "./_args.ts";
import { onInterrupt, startClient } from "./_client.ts";
import { type Command, runCommand } from "./_command.ts";
import { CONNECTION_OPTIONS, connectionOf } from "./_connection.ts";
import { parseProperties } from "./_properties.ts";

const OPTIONS: OptionSpec[] = [
  {
    names: ["--sqlite"],
    key: "sqlite",
    kind: "value",
    arg: "path",
    help: "keep shadows in this SQLite file (default: in memory)",
  },
  {
    names: ["--max-document-bytes"],
    key: "maxDocumentBytes",
    kind: "value",
    arg: "n",
    help: "limit of desired + reported (default 8192)",
  },
  ...CONNECTION_OPTIONS,
  { names: ["--help"], key: "help", kind: "flag", help: "show this text" },
];

/** `tern shadow serve`. */
export const shadowServe: Command = {
  name: "shadow serve",
  summary: "run the local shadow service",
  run: (args, io) =>
    runCommand("shadow serve", io, async (context) => {
      const parsed = parseArgs(args, OPTIONS);
      const v = parsed.values as Record<string, string | undefined>;
      if (parsed.values.help) {
        await io.write(helpText(
          "tern shadow serve {-h host [-p port] | -L url} [--sqlite path] [options]",
          "Answers AWS IoT Device Shadow requests ($aws/things/+/shadow/#) on the broker.",
          OPTIONS,
        ));
        return 0;
      }
      context.quiet = (parsed.values.quiet as boolean | undefined) ?? false;
      const maxDocumentBytes = v.maxDocumentBytes === undefined ? undefined : integer(
        v.maxDocumentBytes,
        1,
        Number.MAX_SAFE_INTEGER,
        `Invalid document size "${v.maxDocumentBytes}".`,
      );
      const connection = await connectionOf(parsed, parseProperties([], []), io);
      context.protocolVersion = connection.protocolVersion;
      connection.client.clientId ??= `tern-shadow-service-${crypto.randomUUID().slice(0, 8)}`;

      const store: ShadowStore & Partial<Disposable> = v.sqlite === undefined
        ? new MemoryShadowStore()
        : new SqliteShadowStore({ path: v.sqlite });
      const interrupt = onInterrupt();
      try {
        const client = await startClient(connection.client, { reconnect: true });
        try {
          const service = await ShadowService.start(asMqttLike(client), {
            store,
            maxDocumentBytes,
          });
          const where = connection.client.url ?? v.awsEndpoint ?? v.host;
          await io.write(
            `Shadow service on ${where}, shadows ${v.sqlite ? `in ${v.sqlite}` : "in memory"}\n`,
          );
          await interrupt.interrupted;
          await service.stop();
        } finally {
          await client.stop();
        }
        return 0;
      } finally {
        interrupt.dispose();
        store[Symbol.dispose]?.();
      }
    }),
};
