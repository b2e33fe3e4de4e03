/**
 * `-D command property value`: MQTT 5 properties by mosquitto's names (the specification's,
 * with `-` between words), checked against the packet they go in and their value range.
 *
 * @module
 */
import type {
  ConnectProperties,
  DisconnectProperties,
  PublishProperties,
  SubscribeProperties,
  UnsubscribeProperties,
  WillProperties,
} from "@tern/agent";
import { usage } from "./_errors.ts";

type Kind = "byte" | "int16" | "int32" | "string" | "binary" | "pair" | "flag";

// Every property the specification defines, with mosquitto's name and wire type, so a
// known name in the wrong packet gets "not allowed" rather than "invalid property name".
const PROPERTIES: Record<string, Kind> = {
  "payload-format-indicator": "byte",
  "message-expiry-interval": "int32",
  "content-type": "string",
  "response-topic": "string",
  "correlation-data": "binary",
  "subscription-identifier": "int32",
  "session-expiry-interval": "int32",
  "assigned-client-identifier": "string",
  "server-keep-alive": "int16",
  "authentication-method": "string",
  "authentication-data": "binary",
  "request-problem-information": "flag",
  "will-delay-interval": "int32",
  "request-response-information": "flag",
  "response-information": "string",
  "server-reference": "string",
  "reason-string": "string",
  "receive-maximum": "int16",
  "topic-alias-maximum": "int16",
  "topic-alias": "int16",
  "maximum-qos": "byte",
  "retain-available": "byte",
  "user-property": "pair",
  "maximum-packet-size": "int32",
  "wildcard-subscription-available": "byte",
  "subscription-identifier-available": "byte",
  "shared-subscription-available": "byte",
};

/** The packets a command may put properties in, and which properties each takes. */
const ALLOWED: Record<string, string[]> = {
  connect: [
    "authentication-data",
    "authentication-method",
    "maximum-packet-size",
    "receive-maximum",
    "request-problem-information",
    "request-response-information",
    "session-expiry-interval",
    "topic-alias-maximum",
    "user-property",
  ],
  publish: [
    "content-type",
    "correlation-data",
    "message-expiry-interval",
    "payload-format-indicator",
    "response-topic",
    "user-property",
  ],
  subscribe: ["user-property"],
  unsubscribe: ["user-property"],
  disconnect: ["session-expiry-interval", "user-property"],
  will: [
    "content-type",
    "correlation-data",
    "message-expiry-interval",
    "payload-format-indicator",
    "response-topic",
    "user-property",
    "will-delay-interval",
  ],
};

// mosquitto accepts these commands too; tern has no way to put properties in them.
const KNOWN_COMMANDS = ["connack", "puback", "pubrec", "pubrel", "pubcomp", "suback", "auth"];

const RANGES: Partial<Record<Kind, number>> = {
  byte: 0xff,
  int16: 0xffff,
  int32: 0xffff_ffff,
  flag: 1,
};

/** The properties given with `-D`, per packet. */
export interface CommandProperties {
  connect: ConnectProperties;
  publish: PublishProperties;
  subscribe: SubscribeProperties;
  unsubscribe: UnsubscribeProperties;
  disconnect: DisconnectProperties;
  will: WillProperties;
}

/**
 * Turns the `-D` triples of {@linkcode parseArgs} into properties per packet. `commands`
 * lists the packets this tool sends (`publish` for pub, `subscribe` for sub, ...).
 */
export function parseProperties(
  triples: string[][],
  commands: (keyof CommandProperties)[],
): CommandProperties {
  const result: CommandProperties = {
    connect: {},
    publish: {},
    subscribe: {},
    unsubscribe: {},
    disconnect: {},
    will: {},
  };
  const encoder = new TextEncoder();
  for (const [commandWord, name, ...values] of triples) {
    const command = commandWord.toLowerCase() as keyof CommandProperties;
    const kind = PROPERTIES[name];
    if (!commands.includes(command)) {
      if (command in ALLOWED || KNOWN_COMMANDS.includes(command)) {
        throw usage(`tern cannot send properties in ${command} from this command.`);
      }
      throw usage("Invalid command given in --property argument.");
    }
    if (kind === undefined) {
      throw usage("Invalid property name given in --property argument.");
    }
    if (command === "publish" && name === "topic-alias") {
      throw usage("topic-alias is chosen by tern: outbound topic aliases are automatic.");
    }
    if (!ALLOWED[command].includes(name)) {
      throw usage(`${name} property not allowed for ${command} in --property argument.`);
    }
    const target = result[command] as Record<string, unknown>;
    const key = name.replace(/-(.)/g, (_, letter: string) => letter.toUpperCase());
    const [value] = values;
    if (kind === "pair") {
      const pairs = (target.userProperties ?? []) as [string, string][];
      pairs.push([values[0], values[1]]);
      target.userProperties = pairs;
    } else if (kind === "string") {
      target[key] = value;
    } else if (kind === "binary") {
      target[key] = encoder.encode(value);
    } else {
      const number = Number(value);
      if (!/^\d+$/.test(value) || number > RANGES[kind]!) {
        throw usage(`Property value (${value}) out of range for property ${name}.`);
      }
      target[key] = kind === "flag" ? number === 1 : number;
    }
  }
  return result;
}
