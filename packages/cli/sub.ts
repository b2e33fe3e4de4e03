/**
 * `tern sub`: subscribe and print what arrives, like mosquitto_sub: `-C` messages then
 * exit, `-W` seconds then exit 27, `-v` / `-F` output, `-T` filters out, `-R` skips retained.
 * A connection lost after it was accepted is retried, as mosquitto_sub does.
 *
 * @module
 */
import type { InboundMessage } from "@tern/agent";
import { matches, validateTopicFilter } from "@tern/subscriptions";
import { helpText, integer, type OptionSpec, parseArgs } from "./_args.ts";
import { onInterrupt, startClient } from "./_client.ts";
import { type Command, runCommand } from "./_command.ts";
import { checked, CONNECTION_OPTIONS, connectionOf, qosOf } from "./_connection.ts";
import { failure, usage } from "./_errors.ts";
import { formatterOf } from "./_format.ts";
import { parseProperties } from "./_properties.ts";

/** mosquitto_sub's exit code when -W ran out (MOSQ_ERR_TIMEOUT). */
const EXIT_TIMED_OUT = 27;

const OPTIONS: OptionSpec[] = [
  {
    names: ["-t", "--topic"],
    key: "topic",
    kind: "list",
    arg: "filter",
    help: "topic filter (repeatable)",
  },
  {
    names: ["-T", "--filter-out"],
    key: "filterOut",
    kind: "list",
    arg: "filter",
    help: "do not print topics matching this filter (repeatable)",
  },
  {
    names: ["-U", "--unsubscribe"],
    key: "unsubscribe",
    kind: "list",
    arg: "filter",
    help: "unsubscribe from this filter (repeatable)",
  },
  {
    names: ["-q", "--qos"],
    key: "qos",
    kind: "value",
    arg: "qos",
    help: "maximum QoS to receive (default 0)",
  },
  {
    names: ["-C"],
    key: "count",
    kind: "value",
    arg: "count",
    help: "exit after this many messages",
  },
  {
    names: ["-W"],
    key: "timeout",
    kind: "value",
    arg: "seconds",
    help: "exit 27 after this many seconds",
  },
  { names: ["-E"], key: "exitAfterSubscribe", kind: "flag", help: "exit once subscribed" },
  { names: ["-v", "--verbose"], key: "verbose", kind: "flag", help: "print 'topic payload'" },
  {
    names: ["-F"],
    key: "format",
    kind: "value",
    arg: "format",
    help: "output format (mosquitto_sub -F)",
  },
  { names: ["-N"], key: "noEol", kind: "flag", help: "no newline after each message" },
  {
    names: ["-R"],
    key: "noRetained",
    kind: "flag",
    help: "do not print retained (stale) messages",
  },
  {
    names: ["--retained-only"],
    key: "retainedOnly",
    kind: "flag",
    help: "print only retained messages; exit at the first fresh one",
  },
  {
    names: ["--retain-as-published"],
    key: "retainAsPublished",
    kind: "flag",
    help: "MQTT 5 Retain As Published",
  },
  ...CONNECTION_OPTIONS,
  {
    names: ["-D", "--property"],
    key: "property",
    kind: "property",
    arg: "command> <property> <value",
    help: "MQTT 5 property of CONNECT, SUBSCRIBE, UNSUBSCRIBE, DISCONNECT or WILL",
  },
  { names: ["--help"], key: "help", kind: "flag", help: "show this text" },
];

const USAGE = "tern sub {-h host [-p port] | -L url} -t filter... [options]";

/** `tern sub`. */
export const sub: Command = {
  name: "sub",
  summary: "subscribe and print messages (mosquitto_sub's options)",
  run: (args, io) =>
    runCommand("sub", io, async (context) => {
      const parsed = parseArgs(args, OPTIONS);
      const v = parsed.values as Record<string, string | undefined>;
      const flags = parsed.values as Record<string, boolean | undefined>;
      const lists = parsed.values as Record<string, string[] | undefined>;
      if (flags.help) {
        await io.write(
          helpText(USAGE, "Subscribes on an MQTT broker and prints what arrives.", OPTIONS),
        );
        return 0;
      }
      context.quiet = flags.quiet ?? false;
      const qos = qosOf(v.qos);
      const count = v.count === undefined
        ? undefined
        : integer(v.count, 1, Number.MAX_SAFE_INTEGER, `Invalid message count "${v.count}".`);
      const timeoutS = v.timeout === undefined
        ? undefined
        : integer(v.timeout, 1, 3600, `Invalid timeout "${v.timeout}".`);
      if (flags.noRetained && flags.retainedOnly) {
        throw usage("Setting both -R and --retained-only makes no sense.");
      }
      const properties = parseProperties(parsed.properties, [
        "connect",
        "subscribe",
        "unsubscribe",
        "disconnect",
        "will",
      ]);
      const connection = await connectionOf(parsed, properties, io);
      context.protocolVersion = connection.protocolVersion;
      if (flags.retainAsPublished && connection.protocolVersion !== 5) {
        throw usage("--retain-as-published is only valid with MQTT v5 (-V 5).");
      }
      const topics = [
        ...(connection.urlTopic ? [connection.urlTopic] : []),
        ...(lists.topic ?? []),
      ];
      const unsubscribe = lists.unsubscribe ?? [];
      if (topics.length === 0 && unsubscribe.length === 0) {
        throw usage("You must specify a topic to subscribe to.");
      }
      for (const filter of [...topics, ...unsubscribe, ...(lists.filterOut ?? [])]) {
        checked(() => validateTopicFilter(filter));
      }
      const format = formatterOf({ format: v.format, verbose: flags.verbose, eol: !flags.noEol });
      const filterOut = lists.filterOut ?? [];

      const done = Promise.withResolvers<number>();
      // Settled by whichever comes first; later calls (the stop at the end) are ignored.
      done.promise.catch(() => {});
      let printed = 0;
      let finished = false;
      const finish = (code: number) => {
        finished = true;
        done.resolve(code);
      };
      const handler = async (message: InboundMessage) => {
        if (finished || filterOut.some((filter) => matches(filter, message.topic))) return;
        if (flags.noRetained && message.retain) return;
        if (flags.retainedOnly && !message.retain) return finish(0);
        // Counted before the write: handlers of different filters run side by side.
        printed++;
        const last = count !== undefined && printed >= count;
        if (last) finished = true;
        try {
          await io.write(format(message, Date.now()));
        } catch (error) {
          // Whoever read stdout went away (`tern sub | head -1`): the run is over.
          finished = true;
          return done.reject(error);
        }
        if (last) done.resolve(0);
      };

      // Messages no local subscription takes are printed too: those a kept session (-c)
      // delivers right after CONNACK, before the subscription below exists, and those of
      // a SUBSCRIBE sent with -D properties. mosquitto_sub prints everything it receives.
      const client = await startClient(connection.client, {
        reconnect: true,
        beforeStart: (client) => client.on("message", handler),
      });
      const subscribeProperties = Object.keys(properties.subscribe).length > 0
        ? properties.subscribe
        : undefined;
      const subscribe = () => {
        // A local subscription has no SUBSCRIBE properties, so with -D subscribe the
        // SUBSCRIBE is sent as is and its messages arrive as the client's catch-all events.
        if (subscribeProperties !== undefined) {
          return client.sendSubscribe(topics, {
            qos,
            retainAsPublished: flags.retainAsPublished,
            properties: subscribeProperties,
          });
        }
        const subscription = client.subscribe(topics, {
          qos,
          retainAsPublished: flags.retainAsPublished,
          // Printing waits for stdout; a large buffer keeps a slow terminal from holding up
          // the connection, and an overflow ends the run rather than drop messages.
          bufferSize: 65_536,
          overflow: "error",
        });
        // Iterated rather than given a handler, so that an overflow reaches this command
        // (a handler's would go to reportError). The loop never leaves early: leaving
        // would unsubscribe, and mosquitto_sub just disconnects.
        (async () => {
          try {
            for await (const message of subscription) await handler(message);
          } catch (error) {
            if (!finished) done.reject(error);
            finished = true;
          }
        })();
        return subscription.then(({ reasonCodes }) => ({ reasonCodes }));
      };
      const interrupt = onInterrupt();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        interrupt.interrupted.then(() => finish(0));
        client.on("stopped", ({ error }) => {
          if (!finished) done.reject(error ?? new Error("The client stopped"));
          finished = true;
        });
        if (timeoutS !== undefined) {
          timer = setTimeout(() => {
            if (!finished) {
              finished = true;
              done.reject(failure("Timed out", EXIT_TIMED_OUT));
            }
          }, timeoutS * 1000);
        }
        if (topics.length > 0) {
          const { reasonCodes } = await Promise.race([
            subscribe(),
            done.promise.then(() => ({ reasonCodes: [] as number[] })),
          ]);
          if (reasonCodes.length > 0 && reasonCodes.every((code) => code >= 0x80)) {
            // mosquitto_sub disconnects after saying so, and exits 0.
            throw failure("All subscription requests were denied.", 0);
          }
        }
        if (unsubscribe.length > 0) {
          await client.sendUnsubscribe(unsubscribe, {
            properties: Object.keys(properties.unsubscribe).length > 0
              ? properties.unsubscribe
              : undefined,
          });
        }
        if (flags.exitAfterSubscribe) return 0;
        return await done.promise;
      } finally {
        finished = true;
        clearTimeout(timer);
        interrupt.dispose();
        await client.stop({
          properties: Object.keys(properties.disconnect).length > 0
            ? properties.disconnect
            : undefined,
        });
      }
    }),
};
