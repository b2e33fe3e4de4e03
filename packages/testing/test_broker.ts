/**
 * The embedded broker in memory, instrumented for tests.
 *
 * @module
 */
import {
  Broker,
  type BrokerEvents,
  type BrokerHooks,
  type BrokerLimits,
  memoryPair,
} from "@tern/broker";
import { Decoder, encode, MAX_PACKET_SIZE, type Packet, type ProtocolVersion } from "@tern/codec";
import type { Connection, Transport } from "@tern/transport";
import { MqttClient, type MqttClientOptions } from "@tern/agent";
import { matches } from "@tern/subscriptions";

/** A packet on one client's connection, with the client it belongs to. */
export interface ObservedPacket {
  /** The client identifier from CONNECT (or the one the broker assigned); "" before it. */
  clientId: string;
  /** The packet as decoded. */
  packet: Packet;
}

/** A message the broker routed (the broker's `message` event). */
export type ObservedMessage = BrokerEvents["message"];

/** A packet type the broker sends to clients that {@linkcode TestBroker.withhold} can hold back. */
export type ServerPacketType =
  | "connack"
  | "publish"
  | "puback"
  | "pubrec"
  | "pubrel"
  | "pubcomp"
  | "suback"
  | "unsuback"
  | "pingresp"
  | "disconnect"
  | "auth";

/** Packets held back by {@linkcode TestBroker.withhold}. */
export interface HeldPackets {
  /** The packets held so far, in the order the broker sent them. */
  readonly packets: readonly ObservedPacket[];
  /** Stops holding: sends the held packets (to clients still connected), in order. */
  release(): Promise<void>;
  /** Stops holding and forgets the held packets: they are never delivered. */
  discard(): void;
}

/** Options of {@linkcode createTestBroker}. */
export interface TestBrokerOptions {
  /** The broker's authentication and authorization hooks. */
  hooks?: BrokerHooks;
  /** The broker's limits. */
  limits?: Partial<BrokerLimits>;
}

/** Options of the `waitFor…` methods. */
export interface WaitOptions {
  /** Real milliseconds before the wait rejects. Default 5000. */
  timeoutMs?: number;
}

interface Hold {
  types: Set<string>;
  held: ObservedPacket[];
  active: boolean;
}

interface Waiter<T> {
  test: (item: T) => boolean;
  resolve: (item: T) => void;
}

/** One client connection through the kit: client ⇄ kit ⇄ broker. */
class Tap {
  clientId = "";
  version: ProtocolVersion = 4;
  constructor(readonly toClient: Connection, readonly toBroker: Connection) {}
  async close(): Promise<void> {
    await Promise.all([this.toClient.close(), this.toBroker.close()]);
  }
  async send(packet: Packet): Promise<void> {
    await this.toClient.write(encode(packet, { version: this.version })).catch(() => {});
  }
}

/**
 * An embedded {@linkcode Broker} that tests talk to in memory (`connect()` gives clients a
 * transport), recording every packet each client sent and the broker sent back, in order,
 * and able to misbehave on request: refuse a CONNECT, hold back (and later release)
 * acknowledgements, send DISCONNECT with a reason, or drop connections.
 *
 * @example Observe what a client sent
 * ```ts
 * import { MqttClient } from "@tern/agent";
 * import { createTestBroker } from "@tern/testing";
 * import assert from "node:assert/strict";
 *
 * await using broker = createTestBroker();
 * const client = new MqttClient({ transport: broker.connect(), clientId: "app" });
 * await client.start();
 * await client.publish("greeting", "hello", { qos: 1 });
 * await client.stop();
 * assert.deepEqual(
 *   broker.received.map(({ packet }) => packet.type),
 *   ["connect", "publish", "disconnect"],
 * );
 * ```
 */
export class TestBroker implements AsyncDisposable {
  /** The broker itself, for its events, stats and listeners. */
  readonly broker: Broker;
  /** Every packet clients sent, in order of arrival. */
  readonly received: ObservedPacket[] = [];
  /** Every packet the broker sent to clients (after holds and injections), in order. */
  readonly sent: ObservedPacket[] = [];
  /** Every message the broker routed, in order. */
  readonly messages: ObservedMessage[] = [];
  #taps = new Set<Tap>();
  #refusals: { reasonCode: number; reasonString?: string }[] = [];
  #holds: Hold[] = [];
  #messageWaiters = new Set<Waiter<ObservedMessage>>();
  #packetWaiters = new Set<Waiter<ObservedPacket>>();
  #claimedMessages = new Set<ObservedMessage>();
  #claimedPackets = new Set<ObservedPacket>();
  #clients = new Set<MqttClient>();

  /** A broker with `options`' hooks and limits; {@linkcode createTestBroker} makes one. */
  constructor(options: TestBrokerOptions = {}) {
    this.broker = new Broker({ hooks: options.hooks, limits: options.limits });
    this.broker.on("message", (message) => {
      this.messages.push(message);
      this.#offer(this.#messageWaiters, this.#claimedMessages, message);
    });
  }

  /** A transport into this broker: `new MqttClient({ transport: broker.connect() })`. */
  connect(): Transport {
    return {
      open: () => {
        const [client, kitClientSide] = memoryPair();
        const [kitBrokerSide, server] = memoryPair();
        const tap = new Tap(kitClientSide, kitBrokerSide);
        this.#taps.add(tap);
        this.broker.serve(server, { remoteAddress: "memory" });
        this.#pumpFromClient(tap);
        this.#pumpToClient(tap);
        return Promise.resolve(client);
      },
    };
  }

  /**
   * A started {@linkcode MqttClient} on this broker (`options` as for any client, the
   * transport excepted); `close()` stops it. With `asMqttLike()` of `@tern/agent` it is what
   * `@tern/shadow` and other libraries on `MqttLike` take.
   *
   * @example A shadow service and a device, in memory
   * ```ts
   * import { asMqttLike } from "@tern/agent";
   * import { ShadowClient, ShadowService } from "@tern/shadow";
   * import { createTestBroker } from "@tern/testing";
   *
   * await using broker = createTestBroker();
   * await using _service = await ShadowService.start(asMqttLike(await broker.startClient()));
   * await using device = new ShadowClient(asMqttLike(await broker.startClient()), {
   *   thingName: "lamp1",
   * });
   * const accepted = await device.update({ reported: { on: true } });
   * console.log(accepted.version); // 1
   * ```
   */
  async startClient(
    options: Omit<MqttClientOptions, "url" | "transport" | "servers"> = {},
  ): Promise<MqttClient> {
    const client = new MqttClient({ ...options, transport: this.connect() });
    this.#clients.add(client);
    await client.start();
    return client;
  }

  /**
   * Answers the next `times` CONNECTs (default 1) with a CONNACK carrying `reasonCode`
   * (e.g. 0x87 Not authorized, 0x88 Server unavailable; MQTT 3.1.1 clients need a return
   * code 1 to 5) and closes the connection; the broker never sees them.
   */
  refuseConnect(reasonCode: number, options: { reasonString?: string; times?: number } = {}): void {
    if (!Number.isInteger(reasonCode) || reasonCode < 1 || reasonCode > 0xff) {
      throw new RangeError(
        `Cannot refuse CONNECT: reason code must be 1 to 255, got ${reasonCode}`,
      );
    }
    for (let i = 0; i < (options.times ?? 1); i++) {
      this.#refusals.push({ reasonCode, reasonString: options.reasonString });
    }
  }

  /**
   * Holds back every packet of the given types the broker sends to clients (say `"puback"`,
   * or `"suback"`) until `release()`: withheld or delayed acknowledgements, for testing
   * timeouts and resends.
   */
  withhold(...types: ServerPacketType[]): HeldPackets {
    if (types.length === 0) throw new TypeError("Cannot withhold: name at least one packet type");
    const hold: Hold = { types: new Set(types), held: [], active: true };
    this.#holds.push(hold);
    const stop = () => {
      hold.active = false;
      this.#holds = this.#holds.filter((other) => other !== hold);
    };
    return {
      packets: hold.held,
      release: async () => {
        stop();
        for (const observed of hold.held.splice(0)) {
          for (const tap of this.#taps) {
            if (tap.clientId === observed.clientId) {
              this.sent.push(observed);
              await tap.send(observed.packet);
            }
          }
        }
      },
      discard: () => {
        stop();
        hold.held.length = 0;
      },
    };
  }

  /**
   * Sends DISCONNECT with `reasonCode` (default 0x8b Server shutting down) and an optional
   * reason string to the named client (default: every client), then closes its connection.
   * MQTT 3.1.1 has no server DISCONNECT: those connections are only closed.
   */
  async disconnect(
    reasonCode = 0x8b,
    options: { clientId?: string; reasonString?: string } = {},
  ): Promise<void> {
    for (const tap of this.#select(options.clientId, "disconnect")) {
      if (tap.version === 5) {
        const packet: Packet = {
          type: "disconnect",
          reasonCode,
          properties: options.reasonString === undefined
            ? undefined
            : { reasonString: options.reasonString },
        };
        this.sent.push({ clientId: tap.clientId, packet });
        await tap.send(packet);
      }
      await tap.close();
    }
  }

  /** Drops the named client's connection (default: every client) without a word. */
  async drop(clientId?: string): Promise<void> {
    for (const tap of this.#select(clientId, "drop")) await tap.close();
  }

  /** The identifiers of the clients connected through this kit now. */
  clients(): string[] {
    return [...this.#taps].map((tap) => tap.clientId);
  }

  /**
   * Resolves with the first message on a topic matching `topicFilter` that no earlier
   * `waitForMessage` returned: one already routed, or the next to be. Rejects after
   * `timeoutMs` real milliseconds.
   */
  waitForMessage(topicFilter: string, options: WaitOptions = {}): Promise<ObservedMessage> {
    return this.#wait(
      this.messages,
      this.#messageWaiters,
      this.#claimedMessages,
      (message) => matches(topicFilter, message.topic),
      `a message on "${topicFilter}"`,
      options,
    );
  }

  /**
   * Resolves with the first packet a client sent that satisfies `test` (or has that type) and
   * that no earlier `waitForPacket` returned. Rejects after `timeoutMs` real milliseconds.
   */
  waitForPacket(
    test: Packet["type"] | ((observed: ObservedPacket) => boolean),
    options: WaitOptions = {},
  ): Promise<ObservedPacket> {
    const predicate = typeof test === "string"
      ? (observed: ObservedPacket) => observed.packet.type === test
      : test;
    const what = typeof test === "string" ? `a ${test.toUpperCase()} packet` : "a packet";
    return this.#wait(
      this.received,
      this.#packetWaiters,
      this.#claimedPackets,
      predicate,
      what,
      options,
    );
  }

  /** Stops the clients of {@linkcode startClient}, closes every connection and the broker. */
  async close(): Promise<void> {
    await Promise.all([...this.#clients].map((client) => client.stop().catch(() => {})));
    await Promise.all([...this.#taps].map((tap) => tap.close()));
    await this.broker.close();
  }

  /** Closes the broker: `await using broker = createTestBroker()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #select(clientId: string | undefined, verb: string): Tap[] {
    const taps = [...this.#taps].filter((tap) =>
      clientId === undefined || tap.clientId === clientId
    );
    if (clientId !== undefined && taps.length === 0) {
      throw new Error(`Cannot ${verb}: no client "${clientId}" is connected`);
    }
    return taps;
  }

  #offer<T>(waiters: Set<Waiter<T>>, claimed: Set<T>, item: T): void {
    for (const waiter of waiters) {
      if (waiter.test(item)) {
        waiters.delete(waiter);
        claimed.add(item);
        waiter.resolve(item);
        return;
      }
    }
  }

  #wait<T>(
    log: T[],
    waiters: Set<Waiter<T>>,
    claimed: Set<T>,
    test: (item: T) => boolean,
    what: string,
    { timeoutMs = 5000 }: WaitOptions,
  ): Promise<T> {
    const found = log.find((item) => !claimed.has(item) && test(item));
    if (found !== undefined) {
      claimed.add(found);
      return Promise.resolve(found);
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        test,
        resolve: (item) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      waiters.add(waiter);
    });
  }

  async #pumpFromClient(tap: Tap): Promise<void> {
    const decoder = new Decoder({ version: 4, maxPacketSize: MAX_PACKET_SIZE });
    const reader = tap.toClient.readable.getReader();
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        let packets: Packet[] = [];
        try {
          packets = decoder.push(value);
        } catch {
          // Not MQTT: the broker answers bytes like these itself.
        }
        for (const packet of packets) {
          if (packet.type === "connect") {
            tap.clientId = packet.clientId;
            tap.version = decoder.version;
          }
          const observed = { clientId: tap.clientId, packet };
          this.received.push(observed);
          this.#offer(this.#packetWaiters, this.#claimedPackets, observed);
          const refusal = packet.type === "connect" ? this.#refusals.shift() : undefined;
          if (refusal) {
            const connack: Packet = {
              type: "connack",
              sessionPresent: false,
              reasonCode: refusal.reasonCode,
              properties: refusal.reasonString === undefined || tap.version !== 5
                ? undefined
                : { reasonString: refusal.reasonString },
            };
            this.sent.push({ clientId: tap.clientId, packet: connack });
            await tap.send(connack);
            await tap.close();
            return;
          }
        }
        await tap.toBroker.write(value);
      }
    } catch {
      // The connection closed under the read.
    } finally {
      reader.releaseLock();
      await tap.close();
      this.#taps.delete(tap);
    }
  }

  async #pumpToClient(tap: Tap): Promise<void> {
    let decoder: Decoder | undefined;
    const reader = tap.toBroker.readable.getReader();
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        // The broker answers only after CONNECT, whose version the other pump recorded.
        decoder ??= new Decoder({ version: tap.version, maxPacketSize: MAX_PACKET_SIZE });
        for (const packet of decoder.push(value)) {
          if (packet.type === "connack" && packet.properties?.assignedClientIdentifier) {
            tap.clientId = packet.properties.assignedClientIdentifier;
          }
          const observed = { clientId: tap.clientId, packet };
          const hold = this.#holds.find((hold) => hold.active && hold.types.has(packet.type));
          if (hold) {
            hold.held.push(observed);
            continue;
          }
          this.sent.push(observed);
          await tap.send(packet);
        }
      }
    } catch {
      // The connection closed under the read.
    } finally {
      reader.releaseLock();
      await tap.close();
    }
  }
}

/**
 * Creates a {@linkcode TestBroker}: an embedded broker in memory that records and can
 * misbehave. Dispose of it (`await using`) or `close()` it at the end of the test.
 *
 * @example Wait for the message an application publishes
 * ```ts
 * import { MqttClient } from "@tern/agent";
 * import { createTestBroker } from "@tern/testing";
 *
 * await using broker = createTestBroker();
 * const client = new MqttClient({ transport: broker.connect() });
 * await client.start();
 * const arrived = broker.waitForMessage("status/#");
 * await client.publish("status/device-1", "online");
 * console.log(new TextDecoder().decode((await arrived).payload)); // online
 * await client.stop();
 * ```
 *
 * @example Refuse the first CONNECT
 * ```ts
 * import { ConnectionRefusedError, MqttClient } from "@tern/agent";
 * import { createTestBroker } from "@tern/testing";
 * import assert from "node:assert/strict";
 *
 * await using broker = createTestBroker();
 * broker.refuseConnect(0x87, { reasonString: "not today" });
 * const client = new MqttClient({ transport: broker.connect(), reconnect: false });
 * await assert.rejects(client.start(), ConnectionRefusedError);
 * ```
 */
export function createTestBroker(options: TestBrokerOptions = {}): TestBroker {
  return new TestBroker(options);
}
