/**
 * The connection options that `tern pub`, `tern sub` and `tern bench` share, with
 * mosquitto's names and defaults, and how they become `MqttClient` options: a URL or host
 * and port, TLS from files, credentials, the will, MQTT 5 CONNECT properties, and the AWS
 * IoT presets of `@tern/aws`.
 *
 * @module
 */
import type { MqttClientOptions, ProtocolVersion, QoS, Will } from "@tern/agent";
import { integer, type OptionSpec, type ParsedArgs } from "./_args.ts";
import { usage } from "./_errors.ts";
import { awsOptions } from "./_aws_options.ts";
import { readPem } from "./_read_pem.ts";
import { targetOf } from "./_target.ts";
import { insecureTls } from "./_insecure_tls.ts";
import type { Io } from "./_io.ts";
import type { CommandProperties } from "./_properties.ts";

/** The options every connecting command takes. */
export const CONNECTION_OPTIONS: OptionSpec[] = [
  {
    names: ["-h", "--host"],
    key: "host",
    kind: "value",
    arg: "host",
    help: "broker host (default localhost)",
  },
  {
    names: ["-p", "--port"],
    key: "port",
    kind: "value",
    arg: "port",
    help: "broker port (default 1883, 8883 with TLS)",
  },
  {
    names: ["-L", "--url"],
    key: "url",
    kind: "value",
    arg: "url",
    help: "mqtt(s)://[user[:password]@]host[:port]/topic, or ws(s)://host[:port]/path",
  },
  {
    names: ["-u", "--username"],
    key: "username",
    kind: "value",
    arg: "username",
    help: "user name",
  },
  { names: ["-P", "--pw"], key: "password", kind: "value", arg: "password", help: "password" },
  { names: ["-i", "--id"], key: "id", kind: "value", arg: "id", help: "client id" },
  {
    names: ["-I", "--id-prefix"],
    key: "idPrefix",
    kind: "value",
    arg: "prefix",
    help: "client id: this prefix and the process id",
  },
  {
    names: ["-k", "--keepalive"],
    key: "keepalive",
    kind: "value",
    arg: "seconds",
    help: "keep-alive (default 60)",
  },
  {
    names: ["-V", "--protocol-version"],
    key: "version",
    kind: "value",
    arg: "version",
    help: "5, 311, mqttv5 or mqttv311 (default 311; 5 when -D is given)",
  },
  {
    names: ["-c", "--disable-clean-session"],
    key: "persistent",
    kind: "flag",
    help: "keep the session (needs -i)",
  },
  {
    names: ["-x"],
    key: "sessionExpiry",
    kind: "value",
    arg: "seconds",
    help: "MQTT 5 session expiry interval (-1: never)",
  },
  {
    names: ["--cafile"],
    key: "cafile",
    kind: "value",
    arg: "file",
    help: "PEM CA certificates to trust (turns TLS on)",
  },
  { names: ["--cert"], key: "cert", kind: "value", arg: "file", help: "PEM client certificate" },
  { names: ["--key"], key: "key", kind: "value", arg: "file", help: "PEM client private key" },
  {
    names: ["--insecure"],
    key: "insecure",
    kind: "flag",
    help: "do not check the host name in the server certificate",
  },
  { names: ["--tls-alpn"], key: "alpn", kind: "value", arg: "protocol", help: "TLS ALPN protocol" },
  {
    names: ["--will-topic"],
    key: "willTopic",
    kind: "value",
    arg: "topic",
    help: "topic of the will",
  },
  {
    names: ["--will-payload"],
    key: "willPayload",
    kind: "value",
    arg: "payload",
    help: "payload of the will",
  },
  { names: ["--will-qos"], key: "willQos", kind: "value", arg: "qos", help: "QoS of the will" },
  { names: ["--will-retain"], key: "willRetain", kind: "flag", help: "retain the will" },
  {
    names: ["--aws-endpoint"],
    key: "awsEndpoint",
    kind: "value",
    arg: "host",
    help: "AWS IoT Core data endpoint: SigV4 WebSocket, or mTLS with --aws-cert",
  },
  {
    names: ["--aws-region"],
    key: "awsRegion",
    kind: "value",
    arg: "region",
    help: "SigV4 region (default: from the endpoint); credentials from AWS_* variables",
  },
  {
    names: ["--aws-cert"],
    key: "awsCert",
    kind: "value",
    arg: "file",
    help: "AWS IoT device certificate (mTLS)",
  },
  {
    names: ["--aws-key"],
    key: "awsKey",
    kind: "value",
    arg: "file",
    help: "AWS IoT device private key (mTLS)",
  },
  { names: ["--quiet"], key: "quiet", kind: "flag", help: "print no run-time errors" },
];

/** What a command needs to connect. */
export interface Connection {
  /** Options for `new MqttClient`. */
  client: MqttClientOptions;
  /** The protocol version in use, which decides how a refusal is worded. */
  protocolVersion: ProtocolVersion;
  /** The topic named by an mqtt:// URL's path, if any. */
  urlTopic?: string;
}

/** Reads a QoS option ("0", "1" or "2"). */
export function qosOf(value: string | undefined, label = "QoS"): QoS {
  if (value === undefined) return 0;
  if (!["0", "1", "2"].includes(value)) throw usage(`Invalid ${label} given: ${value}`);
  return Number(value) as QoS;
}

/** Runs a validator from the libraries; what it throws becomes a usage error. */
export function checked(validate: () => void): void {
  try {
    validate();
  } catch (error) {
    throw usage(`${(error as Error).message}.`);
  }
}

/** The protocol version that -V asks for, or that -D implies. */
export function protocolVersionOf(parsed: ParsedArgs): ProtocolVersion {
  const value = parsed.values.version as string | undefined;
  if (value === undefined) return parsed.properties.length > 0 ? 5 : 4;
  const version = { "5": 5, mqttv5: 5, "311": 4, mqttv311: 4 }[value] as
    | ProtocolVersion
    | undefined;
  if (value === "31" || value === "mqttv31") {
    throw usage("MQTT v3.1 is not supported by tern; use -V 311 or -V 5.");
  }
  if (version === undefined) throw usage("Invalid protocol version argument given.");
  if (version === 4 && parsed.properties.length > 0) {
    throw usage("-D/--property needs MQTT v5 (-V 5).");
  }
  return version;
}

/**
 * Builds the client options from the parsed arguments. Files (certificates) are read here;
 * a missing one is a run-time error, as in mosquitto.
 */
export async function connectionOf(
  parsed: ParsedArgs,
  properties: CommandProperties,
  io: Io,
): Promise<Connection> {
  const v = parsed.values as Record<string, string | undefined>;
  const flags = parsed.values as Record<string, boolean | undefined>;
  const protocolVersion = protocolVersionOf(parsed);
  const keepAlive = v.keepalive === undefined ? undefined : integer(
    v.keepalive,
    5,
    65535,
    "Invalid keepalive given, it must be between 5 and 65535 inclusive.",
  );
  if (v.id !== undefined && v.idPrefix !== undefined) {
    throw usage("-i and -I argument cannot be used together.");
  }
  const clientId = v.id ?? (v.idPrefix !== undefined ? `${v.idPrefix}${Deno.pid}` : undefined);
  if (flags.persistent && clientId === undefined) {
    throw usage("You must provide a client id if you are using the -c option.");
  }
  if (v.password !== undefined && v.username === undefined && protocolVersion === 4) {
    throw usage("Problem setting username and/or password.");
  }
  const session = sessionOptions(v.sessionExpiry, flags.persistent ?? false, protocolVersion);
  const will = willOf(v, flags, properties);
  const { connect } = properties;
  if (connect.authenticationData !== undefined && connect.authenticationMethod === undefined) {
    throw usage("authentication-data needs authentication-method (-D connect).");
  }
  const common: MqttClientOptions = {
    protocolVersion,
    keepAlive,
    ...session,
    will,
    username: v.username,
    password: v.password,
    sessionExpiryInterval: connect.sessionExpiryInterval ?? session.sessionExpiryInterval,
    receiveMaximum: connect.receiveMaximum,
    maximumPacketSize: connect.maximumPacketSize,
    topicAliasMaximum: connect.topicAliasMaximum,
    requestProblemInformation: connect.requestProblemInformation,
    requestResponseInformation: connect.requestResponseInformation,
    userProperties: connect.userProperties,
    authenticator: connect.authenticationMethod === undefined ? undefined : {
      method: connect.authenticationMethod,
      initialData: () => connect.authenticationData,
      challenge: () => {
        throw new Error("Cannot continue authentication: tern sends one authentication-data only");
      },
    },
  };
  if (v.awsEndpoint !== undefined) {
    return { protocolVersion, client: dropUndefined(await awsOptions(v, common, io, clientId)) };
  }
  for (const name of ["awsRegion", "awsCert", "awsKey"]) {
    if (v[name] !== undefined) {
      throw usage(
        `--${name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())} needs --aws-endpoint.`,
      );
    }
  }
  const target = targetOf(v);
  const tls = await tlsOf(v, target.secure);
  const client: MqttClientOptions = { ...common, clientId };
  if (target.username !== undefined) client.username ??= target.username;
  if (target.password !== undefined) client.password ??= target.password;
  if (flags.insecure && tls.secure) {
    client.transport = insecureTls({
      hostname: target.hostname,
      port: target.port,
      ...tls.settings,
    });
  } else {
    client.url = target.url(tls.secure);
    client.transportOptions = tls.settings;
  }
  return { protocolVersion, client: dropUndefined(client), urlTopic: target.topic };
}

function sessionOptions(
  expiry: string | undefined,
  persistent: boolean,
  protocolVersion: ProtocolVersion,
): { cleanStart: boolean; sessionExpiryInterval?: number } {
  if (expiry !== undefined && protocolVersion !== 5) {
    throw usage("-x is only valid with MQTT v5 (-V 5).");
  }
  let seconds: number | undefined;
  if (expiry !== undefined) {
    seconds = ["-1", "∞"].includes(expiry)
      ? 0xffff_ffff
      : integer(expiry, 0, 0xffff_ffff, `Invalid session-expiry-interval '${expiry}'.`);
  } else if (persistent && protocolVersion === 5) {
    seconds = 0xffff_ffff;
  }
  return { cleanStart: !persistent, sessionExpiryInterval: seconds };
}

function willOf(
  v: Record<string, string | undefined>,
  flags: Record<string, boolean | undefined>,
  properties: CommandProperties,
): Will | undefined {
  const willProperties = Object.keys(properties.will).length > 0 ? properties.will : undefined;
  if (v.willTopic === undefined) {
    if (
      v.willPayload !== undefined || v.willQos !== undefined || flags.willRetain || willProperties
    ) {
      throw usage("Will options given, but no will topic given.");
    }
    return undefined;
  }
  return {
    topic: v.willTopic,
    payload: new TextEncoder().encode(v.willPayload ?? ""),
    qos: qosOf(v.willQos, "will QoS"),
    retain: flags.willRetain ?? false,
    properties: willProperties,
  };
}

async function tlsOf(
  v: Record<string, string | undefined>,
  secure: boolean | undefined,
): Promise<{ secure: boolean; settings: MqttClientOptions["transportOptions"] & object }> {
  if ((v.cert === undefined) !== (v.key === undefined)) {
    throw usage("Both certfile and keyfile must be provided if one of them is set.");
  }
  const wantsTls = v.cafile !== undefined || v.cert !== undefined || v.alpn !== undefined;
  const settings = dropUndefined({
    caCerts: v.cafile === undefined ? undefined : [await readPem(v.cafile)],
    cert: v.cert === undefined ? undefined : await readPem(v.cert),
    key: v.key === undefined ? undefined : await readPem(v.key),
    alpnProtocols: v.alpn === undefined ? undefined : [v.alpn],
  });
  return { secure: secure ?? wantsTls, settings };
}

function dropUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
