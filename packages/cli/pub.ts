/**
 * `tern pub`: publish a message, a file, stdin, or stdin line by line, like mosquitto_pub.
 *
 * @module
 */
import { type PublishOptions, ReasonCodeError } from "@tern/agent";
import { validateTopicName } from "@tern/subscriptions";
import { helpText, integer, type OptionSpec, parseArgs } from "./_args.ts";
import { startClient } from "./_client.ts";
import { type Command, runCommand } from "./_command.ts";
import { checked, CONNECTION_OPTIONS, connectionOf, qosOf } from "./_connection.ts";
import { failure, usage } from "./_errors.ts";
import type { Io } from "./_io.ts";
import { parseProperties } from "./_properties.ts";
import { reasonText } from "./_reason_text.ts";
import { readAll, readLines } from "./_stdin.ts";

const OPTIONS: OptionSpec[] = [
  {
    names: ["-t", "--topic"],
    key: "topic",
    kind: "value",
    arg: "topic",
    help: "topic to publish to",
  },
  {
    names: ["-m", "--message"],
    key: "message",
    kind: "value",
    arg: "message",
    help: "message payload",
  },
  {
    names: ["-f", "--file"],
    key: "file",
    kind: "value",
    arg: "file",
    help: "send the contents of a file",
  },
  {
    names: ["-l", "--stdin-line"],
    key: "lines",
    kind: "flag",
    help: "send each line of stdin as a message",
  },
  {
    names: ["-s", "--stdin-file"],
    key: "stdin",
    kind: "flag",
    help: "send all of stdin as one message",
  },
  {
    names: ["-n", "--null-message"],
    key: "null",
    kind: "flag",
    help: "send a zero-length message",
  },
  {
    names: ["-q", "--qos"],
    key: "qos",
    kind: "value",
    arg: "qos",
    help: "QoS 0, 1 or 2 (default 0)",
  },
  { names: ["-r", "--retain"], key: "retain", kind: "flag", help: "retain the message" },
  {
    names: ["--repeat"],
    key: "repeat",
    kind: "value",
    arg: "count",
    help: "publish -m/-f/-s/-n this many times",
  },
  {
    names: ["--repeat-delay"],
    key: "repeatDelay",
    kind: "value",
    arg: "seconds",
    help: "wait between repeated publishes",
  },
  ...CONNECTION_OPTIONS,
  {
    names: ["-D", "--property"],
    key: "property",
    kind: "property",
    arg: "command> <property> <value",
    help: "MQTT 5 property of CONNECT, PUBLISH, DISCONNECT or WILL (implies -V 5)",
  },
  { names: ["--help"], key: "help", kind: "flag", help: "show this text" },
];

const USAGE =
  "tern pub {-h host [-p port] | -L url} -t topic {-m message | -f file | -l | -s | -n} [options]";

/** `tern pub`. */
export const pub: Command = {
  name: "pub",
  summary: "publish a message (mosquitto_pub's options)",
  run: (args, io) =>
    runCommand("pub", io, async (context) => {
      const parsed = parseArgs(args, OPTIONS);
      const v = parsed.values as Record<string, string | undefined>;
      const flags = parsed.values as Record<string, boolean | undefined>;
      if (flags.help) {
        await io.write(helpText(USAGE, "Publishes to an MQTT broker and exits.", OPTIONS));
        return 0;
      }
      context.quiet = flags.quiet ?? false;
      const sources = [v.message, v.file, flags.lines, flags.stdin, flags.null].filter(
        (source) => source !== undefined && source !== false,
      );
      if (sources.length > 1) throw usage("Only one type of message can be sent at once.");
      const qos = qosOf(v.qos);
      const repeat = v.repeat === undefined
        ? 1
        : integer(v.repeat, 1, Number.MAX_SAFE_INTEGER, `Invalid repeat count "${v.repeat}".`);
      const repeatDelayMs = v.repeatDelay === undefined ? 0 : secondsOf(v.repeatDelay) * 1000;
      if (repeat > 1 && flags.lines) throw usage("--repeat cannot be used with -l.");
      const properties = parseProperties(parsed.properties, [
        "connect",
        "publish",
        "disconnect",
        "will",
      ]);
      const connection = await connectionOf(parsed, properties, io);
      context.protocolVersion = connection.protocolVersion;
      const topic = v.topic ?? connection.urlTopic;
      if (topic === undefined || sources.length === 0) {
        io.error("Error: Both topic and message must be supplied.");
        io.error("Use 'tern pub --help' to see usage.");
        return 1;
      }
      checked(() => validateTopicName(topic));
      const payload = flags.lines ? undefined : await payloadOf(v, flags, io);
      const options: PublishOptions & { wait: "ack" } = {
        wait: "ack",
        qos,
        retain: flags.retain ?? false,
        properties: Object.keys(properties.publish).length > 0 ? properties.publish : undefined,
      };

      const client = await startClient(connection.client);
      try {
        let count = 0;
        const send = async (bytes: Uint8Array) => {
          count++;
          try {
            await client.publish(topic, bytes, options);
          } catch (error) {
            // A refusal by the broker (PUBACK / PUBREC with a failure code) is a warning and
            // the run goes on, as in mosquitto_pub; its subclasses (lost connection) are not.
            if (!(error instanceof ReasonCodeError) || error.name !== "ReasonCodeError") {
              throw error;
            }
            if (!context.quiet) {
              io.error(`Warning: Publish ${count} failed: ${reasonText(error.reasonCode)}.`);
            }
          }
        };
        if (payload === undefined) {
          const encoder = new TextEncoder();
          for await (const line of readLines(io.stdin)) await send(encoder.encode(line));
        } else {
          for (let i = 0; i < repeat; i++) {
            if (i > 0 && repeatDelayMs > 0) await new Promise((r) => setTimeout(r, repeatDelayMs));
            await send(payload);
          }
        }
      } finally {
        await client.stop({
          properties: Object.keys(properties.disconnect).length > 0
            ? properties.disconnect
            : undefined,
        });
      }
      return 0;
    }),
};

async function payloadOf(
  v: Record<string, string | undefined>,
  flags: Record<string, boolean | undefined>,
  io: Io,
): Promise<Uint8Array> {
  if (v.message !== undefined) return new TextEncoder().encode(v.message);
  if (flags.stdin) return await readAll(io.stdin);
  if (v.file !== undefined) {
    try {
      return await Deno.readFile(v.file);
    } catch (error) {
      throw failure(`Error loading input file "${v.file}".`, 1, { cause: error });
    }
  }
  return new Uint8Array();
}

function secondsOf(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw usage(`Invalid repeat delay "${value}".`);
  }
  return seconds;
}
