/**
 * The `deno task broker` command line: an embedded broker on TCP (and WebSocket, TLS).
 *
 *   deno run -A packages/broker/main.ts [--host 127.0.0.1] [--port 1883] [--ws-port N]
 *     [--tls-port 8883 --tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--persist FILE]
 *     [--max-connections N] [--max-packet-size N] [--max-queued-messages N]
 *     [--max-inflight N] [--max-subscriptions N] [--max-keep-alive N]
 *     [--deny-subscribe FILTER]... [--quiet]
 *
 * `--deny-subscribe` refuses subscriptions to a filter (or to filters it matches) with 0x80
 * Unspecified error: what the Paho interoperability suite's "subscribe failure" scenario
 * expects for `test/nosubscribe`.
 *
 * It logs each connection and, on SIGINT or SIGTERM, prints a one-line summary and exits.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Broker } from "./broker.ts";
import type { BrokerLimits } from "./limits.ts";
import type { BrokerHooks } from "./hooks.ts";
import { matches } from "@tern/subscriptions";
import type { Persistence } from "./persistence.ts";

/**
 * The command line's usage text, for `--help` here and in `tern broker`.
 *
 * @example Print it
 * ```ts
 * import { USAGE } from "@tern/broker/main";
 *
 * console.log(USAGE.includes("--max-connections")); // true
 * ```
 */
export const USAGE = `Options (every one optional):
  --host ADDRESS             interface to listen on (default 127.0.0.1)
  --port N                   MQTT over TCP (default 1883; 0 picks a free port)
  --ws-port N                also MQTT over WebSocket on this port
  --tls-port N               MQTT over TLS (default 8883), with --tls-cert and --tls-key
  --tls-cert FILE --tls-key FILE [--tls-ca FILE]
                             PEM files; --tls-ca requests client certificates
  --persist FILE             keep sessions and retained messages in this SQLite file
  --max-connections N  --max-packet-size N  --max-queued-messages N  --max-queued-bytes N
  --max-inflight N  --max-subscriptions N  --max-keep-alive N
                             limits (see BrokerLimits)
  --deny-subscribe FILTER    refuse subscriptions to FILTER with 0x80 (repeatable)
  --quiet                    log nothing but the summary
  --help                     show this text
`;

const LIMIT_FLAGS: Record<string, keyof BrokerLimits> = {
  "max-connections": "maxConnections",
  "max-packet-size": "maximumPacketSize",
  "max-queued-messages": "maxQueuedMessages",
  "max-queued-bytes": "maxQueuedBytes",
  "max-inflight": "maxInflight",
  "max-subscriptions": "maxSubscriptions",
  "max-keep-alive": "maxKeepAlive",
};

/**
 * A running command-line broker: its listeners' URLs and how to stop it.
 *
 * @example Start on free ports and stop
 * ```ts
 * import { startFromArgs } from "@tern/broker/main";
 *
 * const running = await startFromArgs(["--port", "0", "--quiet"]);
 * console.log(running.urls[0].startsWith("mqtt://127.0.0.1:")); // true
 * await running.stop();
 * ```
 */
export interface RunningBroker {
  /** The broker. */
  broker: Broker;
  /** One URL per listener, plain TCP first. */
  urls: string[];
  /** Closes the broker and returns the one-line summary. */
  stop(): Promise<string>;
}

/**
 * Starts a broker as the command line describes (see the module documentation).
 *
 * @example Parse limits from flags
 * ```ts
 * import { startFromArgs } from "@tern/broker/main";
 *
 * const running = await startFromArgs(["--port", "0", "--max-connections", "5", "--quiet"]);
 * console.log(running.broker.limits.maxConnections); // 5
 * await running.stop();
 * ```
 */
export async function startFromArgs(args: string[]): Promise<RunningBroker> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "1883" },
      "ws-port": { type: "string" },
      "tls-port": { type: "string", default: "8883" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "tls-ca": { type: "string" },
      persist: { type: "string" },
      "deny-subscribe": { type: "string", multiple: true },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
      ...Object.fromEntries(Object.keys(LIMIT_FLAGS).map((flag) => [flag, { type: "string" }])),
    },
  }) as { values: Record<string, string | string[] | boolean | undefined> };
  const number = (flag: string): number => {
    const value = Number(values[flag]);
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(
        `Cannot start broker: --${flag} must be a non-negative integer, got ${values[flag]}`,
      );
    }
    return value;
  };
  const limits: Partial<BrokerLimits> = {};
  for (const [flag, name] of Object.entries(LIMIT_FLAGS)) {
    if (values[flag] !== undefined) limits[name] = number(flag);
  }
  let persistence: Persistence | undefined;
  if (typeof values.persist === "string") {
    const { SqlitePersistence } = await import("./sqlite_persistence.ts");
    persistence = new SqlitePersistence(values.persist);
  }
  const denied = (values["deny-subscribe"] ?? []) as string[];
  const hooks: BrokerHooks = {};
  if (denied.length > 0) {
    // A filter is refused when it is a denied filter or a topic one matches.
    const refused = (filter: string) =>
      denied.some((deny) =>
        deny === filter ||
        (!/[+#]/.test(filter) && !filter.startsWith("$share/") && matches(deny, filter))
      );
    hooks.authorizeSubscribe = ({ subscription }) =>
      refused(subscription.topicFilter) ? { reasonCode: 0x80 } : true;
  }
  const broker = new Broker({ limits, persistence, hooks });
  const log = values.quiet ? () => {} : (line: string) => console.log(line);
  broker.on("connect", ({ client, sessionPresent }) =>
    log(
      `connect ${client.clientId} from ${client.remoteAddress} (MQTT ${
        client.protocolVersion === 5 ? "5.0" : "3.1.1"
      }${sessionPresent ? ", session resumed" : ""})`,
    ));
  broker.on("disconnect", ({ client, reason }) => log(`disconnect ${client.clientId}: ${reason}`));
  const hostname = values.host as string;
  const urls: string[] = [];
  try {
    urls.push((await broker.listen({ hostname, port: number("port") })).url);
    if (values["ws-port"] !== undefined) {
      urls.push((await broker.listenWebSocket({ hostname, port: number("ws-port") })).url);
    }
    if (values["tls-cert"] !== undefined || values["tls-key"] !== undefined) {
      const read = (flag: string) =>
        values[flag] === undefined ? undefined : Deno.readTextFileSync(values[flag] as string);
      urls.push(
        (await broker.listen({
          hostname,
          port: number("tls-port"),
          cert: read("tls-cert"),
          key: read("tls-key"),
          ca: read("tls-ca"),
        })).url,
      );
    }
  } catch (error) {
    await broker.close();
    throw error;
  }
  for (const url of urls) log(`listening on ${url}`);
  const started = Date.now();
  return {
    broker,
    urls,
    async stop() {
      const stats = broker.stats();
      await broker.close();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      return `broker stopped after ${seconds} s: ${stats.accepted} connections, ` +
        `${stats.published} messages published, ${stats.sessions} sessions, ` +
        `${stats.retained} retained messages`;
    },
  };
}

if (import.meta.main) {
  if (Deno.args.includes("--help")) {
    console.log(`Usage: deno task broker [options]\n\n${USAGE}`);
    Deno.exit(0);
  }
  const running = await startFromArgs(Deno.args);
  const stop = async () => {
    console.log(await running.stop());
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
