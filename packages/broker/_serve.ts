import { type AuthPacket, type ConnectPacket, Decoder, encode, type Packet } from "@tern/codec";
import type { Connection } from "@tern/transport";
import type {
  AuthenticateRequest,
  AuthenticateResult,
  BrokerHooks,
  SubscribeDecision,
} from "./hooks.ts";
import type { BrokerCore } from "./_core.ts";
import type { ClientConnection, ConnectVerdict, Link } from "./_client.ts";
import type { Peer } from "./listener.ts";

/**
 * Runs one network connection against the core until it ends: reads and decodes, calls
 * the hooks (awaiting only those that return promises), flushes writes in order, enforces
 * the CONNECT timeout and keep-alive (1.5× [MQTT-3.1.2-22]), and bounds unwritten bytes.
 */
export async function serveConnection(
  core: BrokerCore,
  connection: Connection,
  peer: Peer,
  hooks: BrokerHooks,
): Promise<void> {
  const limits = core.limits;
  const maxBacklog = 2 * limits.maxQueuedBytes + limits.maximumPacketSize;
  let queue: Uint8Array[] = [];
  let backlog = 0;
  let flushing = false;
  let closing = false;
  let dead = false;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const shut = () => {
    if (dead) return;
    dead = true;
    reader?.cancel().catch(() => {});
    connection.close().catch(() => {});
  };
  const flush = async () => {
    flushing = true;
    try {
      while (queue.length > 0 && !dead) {
        const batch = queue;
        queue = [];
        const bytes = batch.length === 1 ? batch[0] : concat(batch);
        await connection.write(bytes);
        backlog -= bytes.length;
      }
    } catch {
      shut();
    } finally {
      flushing = false;
      if (closing) shut();
    }
  };
  const link: Link = {
    get backlog() {
      return backlog;
    },
    write(bytes) {
      if (dead || closing) return;
      backlog += bytes.length;
      // A client that does not read its messages is cut off before it costs unbounded memory.
      if (backlog > maxBacklog) return shut();
      queue.push(bytes);
      if (!flushing) flush();
    },
    close() {
      closing = true;
      if (!flushing) shut();
    },
  };
  if (core.connections.size >= limits.maxConnections) {
    await connection.close().catch(() => {});
    return;
  }
  const client = core.open(link, peer.remoteAddress, peer.peerCertificate);
  const decoder = new Decoder({ version: 4, maxPacketSize: limits.maximumPacketSize });
  const auth = new Authentication(client, hooks);
  let lastPacket = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
    timer = undefined;
    if (client.state !== "connected") client.fail(0x87, "No CONNECT in time", Date.now());
  }, limits.connectTimeoutMs);
  const watch = () => {
    clearTimeout(timer);
    timer = undefined;
    if (client.state !== "connected" || client.keepAliveMs === 0) return;
    const limit = client.keepAliveMs * 1.5;
    const idle = Date.now() - lastPacket;
    if (idle >= limit) return client.fail(0x8d, "Keep alive timeout", Date.now());
    timer = setTimeout(watch, limit - idle);
  };
  try {
    const next = chunks(connection, (r) => reader = r);
    read: while (!dead) {
      const value = await next();
      if (value === null) break;
      lastPacket = Date.now();
      let packets: Packet[];
      try {
        packets = decoder.push(value);
      } catch (error) {
        refuseBytes(client, link, error as Error & { reasonCode?: number });
        break;
      }
      for (const packet of packets) {
        const wasConnected = client.state === "connected";
        const pending = handle(client, packet, decoder, auth, hooks);
        if (pending) await pending;
        if (client.state === "closed") break read;
        if (!wasConnected && client.state === "connected") watch();
      }
    }
  } catch {
    // A read error is an ordinary end of the connection.
  } finally {
    clearTimeout(timer);
    client.closed(Date.now());
    link.close();
    reader?.releaseLock();
  }
}

const SMALL_READ = 1024;
const LARGE_READ = 64 * 1024;

/**
 * A function returning the connection's next chunk (null at the end). With `read(into)`,
 * one buffer per connection is reused (the decoder copies what it is given): 1 KiB while
 * the client is quiet, so a thousand idle connections hold 1 MiB of read buffers rather
 * than the 64 KiB each that a pending stream read allocates; 64 KiB while reads fill it.
 */
function chunks(
  connection: Connection,
  onReader: (reader: ReadableStreamDefaultReader<Uint8Array>) => void,
): () => Promise<Uint8Array | null> {
  const read = connection.read?.bind(connection);
  if (!read) {
    const reader = connection.readable.getReader();
    onReader(reader);
    return async () => {
      const { value, done } = await reader.read();
      return done ? null : value;
    };
  }
  let buffer = new Uint8Array(SMALL_READ);
  return async () => {
    const n = await read(buffer);
    if (n === null) return null;
    const chunk = buffer.subarray(0, n);
    if (n === buffer.length && buffer.length < LARGE_READ) buffer = new Uint8Array(LARGE_READ);
    else if (n < SMALL_READ / 2 && buffer.length > SMALL_READ) buffer = new Uint8Array(SMALL_READ);
    return chunk;
  };
}

/** Handles one packet; returns a promise only when a hook did. */
function handle(
  client: ClientConnection,
  packet: Packet,
  decoder: Decoder,
  auth: Authentication,
  hooks: BrokerHooks,
): Promise<void> | void {
  if (packet.type === "connect") {
    client.version = decoder.version;
    if (client.state !== "new") return client.fail(0x82, "CONNECT sent twice", Date.now());
    return auth.start(packet);
  }
  if (packet.type === "auth") return auth.step(packet);
  if (packet.type === "publish" && hooks.authorizePublish && client.state === "connected") {
    const topic = client.resolveTopic(packet);
    if (typeof topic === "number") return client.receive(packet, Date.now());
    let allowed: boolean | Promise<boolean>;
    try {
      allowed = hooks.authorizePublish({ client: client.info, topic, packet });
    } catch {
      allowed = false; // a hook that throws refuses
    }
    return settle(
      allowed,
      (allowed) => client.receive(packet, Date.now(), allowed),
      () => client.receive(packet, Date.now(), false),
    );
  }
  if (packet.type === "subscribe" && hooks.authorizeSubscribe && client.state === "connected") {
    const answers = packet.subscriptions.map((subscription) => {
      try {
        return hooks.authorizeSubscribe!({ client: client.info, subscription });
      } catch {
        return false;
      }
    });
    const decide = (decisions: SubscribeDecision[]) =>
      client.receive(packet, Date.now(), decisions);
    if (!answers.some((answer) => answer instanceof Promise)) {
      return decide(answers as SubscribeDecision[]);
    }
    return Promise.all(answers.map((answer) => Promise.resolve(answer).catch(() => false)))
      .then(decide);
  }
  client.receive(packet, Date.now());
}

/** Calls `then` with a value or a promise's value, synchronously when it can. */
function settle<T>(
  value: T | Promise<T>,
  then: (value: T) => void,
  failed: () => void,
): Promise<void> | void {
  if (!(value instanceof Promise)) return then(value);
  return value.then(then, failed);
}

/** Bytes that are not MQTT: a CONNACK for an unsupported version, else DISCONNECT with the reason. */
function refuseBytes(
  client: ClientConnection,
  link: Link,
  error: Error & { reasonCode?: number },
): void {
  const reasonCode = error.reasonCode ?? 0x81;
  if (client.state === "new" && reasonCode === 0x84) {
    // [MQTT-3.1.2-2] an unsupported protocol level gets return code 1, in MQTT 3.1.1 form.
    link.write(encode({ type: "connack", sessionPresent: false, reasonCode: 1 }, { version: 4 }));
  }
  client.fail(reasonCode, error.message, Date.now());
}

/** The CONNECT and MQTT 5 AUTH exchanges, driven by `hooks.authenticate`. */
class Authentication {
  #client: ClientConnection;
  #hooks: BrokerHooks;
  #connect?: ConnectPacket;
  #method?: string;
  #step = 0;

  constructor(client: ClientConnection, hooks: BrokerHooks) {
    this.#client = client;
    this.#hooks = hooks;
  }

  start(connect: ConnectPacket): Promise<void> | void {
    this.#connect = connect;
    this.#method = connect.properties?.authenticationMethod;
    return this.#ask(connect.properties?.authenticationData);
  }

  step(packet: AuthPacket): Promise<void> | void {
    const client = this.#client;
    const method = packet.properties?.authenticationMethod;
    const code = packet.reasonCode ?? 0;
    if (client.version !== 5 || !this.#method || method !== this.#method) {
      return client.fail(0x82, "AUTH without the authentication method of CONNECT", Date.now());
    }
    if (client.state === "authenticating" && code === 0x18) {
      return this.#ask(packet.properties?.authenticationData);
    }
    if (client.state === "connected" && code === 0x19) {
      // Re-authentication [MQTT-4.12.1-1]: a fresh exchange on the open connection.
      this.#step = 0;
      return this.#ask(packet.properties?.authenticationData);
    }
    if (client.state === "connected" && code === 0x18 && this.#step > 0) {
      return this.#ask(packet.properties?.authenticationData);
    }
    return client.fail(0x82, `Unexpected AUTH with reason code ${code}`, Date.now());
  }

  #ask(authenticationData: Uint8Array | undefined): Promise<void> | void {
    const client = this.#client;
    const connect = this.#connect!;
    const authenticate = this.#hooks.authenticate;
    if (!authenticate) {
      return this.#conclude(this.#method ? { reasonCode: 0x8c } : true);
    }
    const request: AuthenticateRequest = {
      client: {
        ...client.info,
        clientId: connect.clientId,
        username: connect.username,
        protocolVersion: client.version,
      },
      connect,
      username: connect.username,
      password: connect.password,
      authenticationMethod: this.#method,
      authenticationData,
      step: this.#step++,
    };
    let answer: AuthenticateResult | Promise<AuthenticateResult>;
    try {
      answer = authenticate(request);
    } catch {
      answer = { reasonCode: 0x80 };
    }
    return settle(
      answer,
      (result) => this.#conclude(result),
      () => this.#conclude({ reasonCode: 0x80 }),
    );
  }

  #conclude(result: AuthenticateResult): void {
    const client = this.#client;
    const now = Date.now();
    if (client.state === "closed") return;
    const reauthenticating = client.state === "connected";
    if (typeof result === "object" && "continue" in result) {
      if (client.version !== 5 || !this.#method) {
        return this.#refuse({ accepted: false, reasonCode: 0x8c }, reauthenticating, now);
      }
      if (!reauthenticating) client.state = "authenticating";
      client.write(encode({
        type: "auth",
        reasonCode: 0x18,
        properties: { authenticationMethod: this.#method, authenticationData: result.continue },
      }, { version: 5 }));
      return;
    }
    let verdict: ConnectVerdict;
    if (result === true) verdict = { accepted: true };
    else if (result === false) verdict = { accepted: false, reasonCode: 0x86 };
    else if ("success" in result) {
      verdict = { accepted: true, authenticationData: result.authenticationData };
    } else verdict = { accepted: false, ...result };
    if (!verdict.accepted) return this.#refuse(verdict, reauthenticating, now);
    if (this.#method) verdict.authenticationMethod = this.#method;
    if (reauthenticating) {
      client.write(encode({
        type: "auth",
        reasonCode: 0,
        properties: {
          authenticationMethod: this.#method,
          authenticationData: verdict.authenticationData,
        },
      }, { version: 5 }));
      return;
    }
    client.connect(this.#connect!, verdict, now);
  }

  #refuse(verdict: ConnectVerdict & { accepted: false }, reauthenticating: boolean, now: number) {
    if (reauthenticating) {
      return this.#client.fail(
        verdict.reasonCode,
        verdict.reasonString ?? "Re-authentication failed",
        now,
      );
    }
    this.#client.connect(this.#connect!, verdict, now);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
