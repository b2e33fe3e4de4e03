/**
 * A scripted MQTT client for the broker's tests: sends exact packets, reads exact answers.
 */
import {
  type ConnackPacket,
  type ConnectPacket,
  Decoder,
  encode,
  type Packet,
  type ProtocolVersion,
} from "@tern/codec";
import type { Connection, Transport } from "@tern/transport";

export class RawClient {
  readonly version: ProtocolVersion;
  #connection: Connection;
  #packets: Packet[] = [];
  #waiters: (() => void)[] = [];
  #ended = false;
  #pump: Promise<void>;

  constructor(connection: Connection, version: ProtocolVersion) {
    this.#connection = connection;
    this.version = version;
    const decoder = new Decoder({ version });
    this.#pump = (async () => {
      try {
        for await (const chunk of connection.readable) {
          this.#packets.push(...decoder.push(chunk));
          this.#wake();
        }
      } catch {
        // An ended connection is what some tests wait for.
      }
      this.#ended = true;
      this.#wake();
    })();
  }

  static async open(transport: Transport, version: ProtocolVersion): Promise<RawClient> {
    return new RawClient(await transport.open(), version);
  }

  /** Opens, sends CONNECT (defaults: clean, no keep-alive) and returns the CONNACK. */
  static async connect(
    transport: Transport,
    version: ProtocolVersion,
    connect: Partial<ConnectPacket> = {},
  ): Promise<{ client: RawClient; connack: ConnackPacket }> {
    const client = await RawClient.open(transport, version);
    client.send({ type: "connect", clientId: "", cleanStart: true, keepAlive: 0, ...connect });
    const connack = await client.next();
    if (connack.type !== "connack") throw new Error(`Expected CONNACK, got ${connack.type}`);
    return { client, connack };
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  send(packet: Packet): void {
    this.sendBytes(encode(packet, { version: this.version }));
  }

  sendBytes(bytes: Uint8Array): void {
    this.#connection.write(bytes).catch(() => {});
  }

  /** The next packet; throws if the connection ends or none comes within `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<Packet> {
    const packet = await this.maybeNext(timeoutMs);
    if (!packet) throw new Error(`No packet within ${timeoutMs} ms (ended: ${this.#ended})`);
    return packet;
  }

  /** The next packet, or undefined when the connection ends or `timeoutMs` passes first. */
  async maybeNext(timeoutMs = 5000): Promise<Packet | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs));
    try {
      while (this.#packets.length === 0 && !this.#ended) {
        const more = new Promise<void>((resolve) => this.#waiters.push(resolve));
        if (await Promise.race([more.then(() => true), deadline.then(() => false)]) === false) {
          break;
        }
      }
      return this.#packets.shift();
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next packet, which must be of `type`. */
  async expect<T extends Packet["type"]>(type: T): Promise<Packet & { type: T }> {
    const packet = await this.next();
    if (packet.type !== type) {
      throw new Error(`Expected ${type}, got ${packet.type}: ${JSON.stringify(packet)}`);
    }
    return packet as Packet & { type: T };
  }

  /** Waits for the broker to close the connection; returns the packets it sent meanwhile. */
  async ended(timeoutMs = 10000): Promise<Packet[]> {
    const rest: Packet[] = [];
    const until = Date.now() + timeoutMs;
    while (!this.#ended || this.#packets.length > 0) {
      const packet = await this.maybeNext(Math.max(1, until - Date.now()));
      if (packet) rest.push(packet);
      else if (!this.#ended) throw new Error(`Connection still open after ${timeoutMs} ms`);
    }
    await this.#pump;
    return rest;
  }

  /** Nothing arrives for `ms` (used only to show something is NOT sent). */
  async quiet(ms = 200): Promise<boolean> {
    const packet = await this.maybeNext(ms);
    if (packet) this.#packets.unshift(packet);
    return packet === undefined;
  }

  async close(): Promise<void> {
    await this.#connection.close();
    await this.#pump;
  }
}
