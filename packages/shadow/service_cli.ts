/**
 * `deno task shadow-service --url mqtt://127.0.0.1:1883 [--sqlite shadows.db]`: runs the
 * local shadow service on a broker through `@tern/agent`'s MqttClient until SIGINT or
 * SIGTERM. Not part of the published package.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { asMqttLike, connect } from "@tern/agent";
import { MemoryShadowStore, ShadowService, type ShadowStore } from "./mod.ts";
import { SqliteShadowStore } from "./sqlite_store.ts";

const USAGE = `Usage: deno task shadow-service --url <broker url> [options]

Answers AWS IoT Device Shadow requests ($aws/things/+/shadow/#) on the broker.

Options:
  --url <url>         broker URL: mqtt://, mqtts://, ws://, wss:// (required)
  --client-id <id>    MQTT client identifier (default: tern-shadow-service-<random>)
  --sqlite <path>     keep shadows in this SQLite file (default: in memory)
  --max-document-bytes <n>   desired + reported limit (default 8192)
  --help              show this text`;

async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        url: { type: "string" },
        "client-id": { type: "string" },
        sqlite: { type: "string" },
        "max-document-bytes": { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.url === undefined) {
    console.error(`Cannot start the shadow service: --url is required\n\n${USAGE}`);
    return 2;
  }
  const maxDocumentBytes = values["max-document-bytes"] === undefined
    ? undefined
    : Number(values["max-document-bytes"]);

  const store: ShadowStore & Partial<Disposable> = values.sqlite === undefined
    ? new MemoryShadowStore()
    : new SqliteShadowStore({ path: values.sqlite });
  try {
    const client = await connect(values.url, {
      clientId: values["client-id"] ?? `tern-shadow-service-${crypto.randomUUID().slice(0, 8)}`,
    });
    const service = await ShadowService.start(asMqttLike(client), {
      store,
      maxDocumentBytes,
    });
    console.log(
      `Shadow service on ${values.url}, shadows ${
        values.sqlite ? `in ${values.sqlite}` : "in memory"
      }`,
    );
    const stopping = Promise.withResolvers<void>();
    const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
    for (const signal of signals) Deno.addSignalListener(signal, stopping.resolve);
    await stopping.promise;
    for (const signal of signals) Deno.removeSignalListener(signal, stopping.resolve);
    await service.stop();
    await client.stop();
    return 0;
  } catch (error) {
    console.error(`Cannot run the shadow service: ${(error as Error).message}`);
    return 1;
  } finally {
    store[Symbol.dispose]?.();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
