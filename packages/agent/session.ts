import { ConnectReturnCode, ProtocolError, reasonCodeName } from "@tern/codec";
import type {
  AuthPacket,
  ConnackPacket,
  ConnectPacket,
  ConnectProperties,
  DisconnectProperties,
  Packet,
  ProtocolVersion,
  PublishAckPacket,
  PublishPacket,
  QoS,
  SubackPacket,
  SubscribePacket,
  SubscribeProperties,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
} from "@tern/codec";
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  ReasonCodeError,
  TimeoutError,
} from "./errors.ts";
import {
  keepsOnDisconnect,
  MessageExpiredError,
  OfflineError,
  type OfflineQueuePolicy,
  QueueFullError,
} from "./offline_queue.ts";
import { createLimiter, type Limiter } from "./limits.ts";
import { type NegotiatedSettings, negotiateSettings } from "./negotiated_settings.ts";
import type { SessionStore } from "./session_store.ts";
import type {
  ConnectUpdate,
  OperationResult,
  OutgoingMessage,
  SessionEvent,
  SessionOptions,
  SessionState,
  SessionStats,
  SubscribeRequest,
  Transmit,
  UnsubscribeRequest,
} from "./session_types.ts";
import { Fifo } from "./_fifo.ts";
import { PacketIds } from "./_packet_ids.ts";
import { OutboundTopicAliases } from "./_topic_aliases.ts";
import { checkInteger, checkQoS, checkTopicFilter, checkTopicName } from "./_validate.ts";
import { checkOptions, connackViolation, refuse } from "./_session_checks.ts";

type CommandPacket = PublishPacket | SubscribePacket | UnsubscribePacket;

/** A caller's operation waiting in the queue for the connection, a packet id or quota. */
interface Command {
  /** Operation id; 0 for a publish restored from a store, which no caller waits for. */
  id: number;
  packet: CommandPacket;
  /** Approximate bytes (payload and topic strings), for statistics. */
  size: number;
  cancelled: boolean;
  /** When a publish with a Message Expiry Interval was queued: its interval counts down. */
  queuedAt?: number;
}

/** A packet sent and not yet fully acknowledged, by packet id. */
interface Flight {
  /** Operation id; 0 once no caller waits any more (timed out, abandoned, restored). */
  op: number;
  /** As first sent: full topic, DUP clear, packet id set. */
  packet: CommandPacket;
  size: number;
  state: "awaitingAck" | "released";
  /** The PUBREC of a QoS 2 publish, whose reason code the completion reports. */
  pubrec?: PublishAckPacket;
}

const MAX_VARIABLE_BYTE_INTEGER = 268_435_455;
const DEFAULT_CONNACK_TIMEOUT_MS = 30_000;

/**
 * The largest packet, in bytes, a client accepts unless told otherwise: 16 MiB.
 *
 * A limit is on by default because the decoder buffers a whole packet before decoding it,
 * so without one a hostile or broken server could make each connection hold up to 256 MiB.
 * MQTT 5 announces it in CONNECT, so a conforming server never sends more.
 *
 * @example Accept larger messages
 * ```ts
 * import { DEFAULT_MAXIMUM_PACKET_SIZE } from "@tern/agent";
 *
 * const maximumPacketSize = 4 * DEFAULT_MAXIMUM_PACKET_SIZE;
 * console.log(maximumPacketSize); // 67108864
 * ```
 */
export const DEFAULT_MAXIMUM_PACKET_SIZE = 16 * 1024 * 1024;
// MQTT 3.1.1 servers cannot announce a limit, yet mosquitto (max_inflight_messages, default
// 20) drops publishes beyond it while still acknowledging them; stay within that by default.
const DEFAULT_MQTT4_INFLIGHT = 20;
// Answers (PUBACK, PUBREC, PUBCOMP, ...) waiting to be written; far above any honest backlog.
const MAX_UNSENT_ANSWERS = 100_000;

const ACK_NAME = {
  publish1: "PUBACK",
  publish2: "PUBCOMP",
  subscribe: "SUBACK",
  unsubscribe: "UNSUBACK",
};

/**
 * The sans-IO MQTT session: a pure state machine for one client session, across any number
 * of network connections. It performs no I/O and never reads the clock.
 *
 * Inputs: `handleConnectionOpened`, `handlePacket`, `handleProtocolError`,
 * `handleConnectionLost` and `handleTimeout`, each with the current time in milliseconds;
 * commands `publish`, `subscribe`, `unsubscribe`, `disconnect`, `sendAuth`, `cancel`.
 * Outputs, pulled: `pollTransmit(now)` (the next packet to write), `pollEvent()`
 * (completions, deliveries, connection events) and `pollTimeout()` (when to call
 * `handleTimeout` next).
 *
 * Commands leave in call order. A QoS 1 / 2 publish waits in the queue while the server's
 * Receive Maximum is used up; packet identifiers are taken only when a packet leaves, so a
 * long queue never exhausts them.
 *
 * @example Connect and publish at QoS 1 with a numeric clock
 * ```ts
 * import { Session } from "@tern/agent";
 *
 * const session = new Session({ clientId: "sensor-1", protocolVersion: 5 });
 * session.handleConnectionOpened(0);
 * console.log(session.pollTransmit(0)?.packet.type); // "connect"
 * session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, 5);
 * console.log(session.pollEvent()?.type); // "connectionsuccess"
 *
 * const id = session.publish({ topic: "t", payload: new Uint8Array([1]), qos: 1 }, 6);
 * const sent = session.pollTransmit(6)!;
 * console.log(sent.packet.type, sent.operation === id); // "publish" true
 * session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 9);
 * console.log(session.pollEvent()); // { type: "completed", operation: 1, result: { reasonCode: 0, properties: undefined } }
 * ```
 */
export class Session {
  /** 4 (MQTT 3.1.1) or 5. */
  readonly protocolVersion: ProtocolVersion;
  #options: SessionOptions;
  /**
   * Only a store given in the options: the session itself holds everything in flight, and
   * a private default store would only be written, never read (a copy of every payload).
   */
  #store?: SessionStore;
  #clientId: string;
  #state: SessionState = "disconnected";
  #everConnected = false;
  #connect?: ConnectPacket;
  #settings?: NegotiatedSettings;

  #outbox = new Fifo<Transmit>();
  #commands = new Fifo<Command>();
  #queued = new Map<number, Command>();
  #queuedSize = 0;
  #flights = new Map<number, Flight>();
  #unackedSize = 0;
  #ids = new PacketIds();
  #publishesInFlight = 0;
  // Created on first use, like #aliasesIn and #active: an idle connection holds no empty
  // collections it may never need.
  #inboundQoS2?: Set<number>;
  #events = new Fifo<SessionEvent>();
  #nextOp = 1;

  #aliasesOut?: OutboundTopicAliases;
  #aliasesIn?: Map<number, string>;
  #reauthenticating = false;

  /** Size, QoS and topic checks of `options.limits`. */
  #limits?: Limiter;
  /** Granted subscriptions by topic filter, restored when the server lost the session. */
  #active?: Map<string, { subscription: Subscription; properties?: SubscribeProperties }>;
  /** The rate limits of `options.limits`, fresh for each connection. */
  #rate?: Limiter;
  /** A throttled PUBLISH may leave at this time. */
  #throttledUntil?: number;

  #connackDeadline?: number;
  #keepAliveMs = 0;
  #pingTimeoutMs = 0;
  #lastSentAt = 0;
  #pingSentAt?: number;
  #ackDeadlines = new Fifo<{ deadline: number; packetId: number; op: number }>();

  /** Creates a session; in-flight state found in `options.store` is resent after connecting. */
  constructor(options: SessionOptions = {}) {
    checkOptions(options);
    this.#options = options;
    this.protocolVersion = options.protocolVersion ?? 5;
    this.#clientId = options.clientId ?? "";
    this.#store = options.store;
    if (options.limits) {
      this.#limits = createLimiter(options.limits);
      const will = options.will;
      this.#limits.checkConnect({
        clientId: this.#clientId,
        will: will && { topic: will.topic, payloadBytes: will.payload.length, qos: will.qos },
      });
    }
    for (const entry of this.#store?.outbound(this.#clientId) ?? []) {
      this.#ids.claim(entry.packetId);
      this.#publishesInFlight++;
      const size = this.#measure(entry.packet);
      this.#unackedSize += size;
      this.#flights.set(entry.packetId, { op: 0, packet: entry.packet, size, state: entry.state });
    }
    for (const packetId of this.#store?.inboundReceived(this.#clientId) ?? []) {
      (this.#inboundQoS2 ??= new Set()).add(packetId);
    }
  }

  /** Where the session stands on the current connection. */
  get state(): SessionState {
    return this.#state;
  }

  /** The client identifier: as configured, or as assigned by the server. */
  get clientId(): string {
    return this.#clientId;
  }

  /** The settings of the current (or last) accepted connection. */
  get settings(): NegotiatedSettings | undefined {
    return this.#settings;
  }

  /** Operation counts and sizes. Queued sizes are approximate; sent ones are exact. */
  stats(): SessionStats {
    let unackedCount = 0;
    for (const flight of this.#flights.values()) if (flight.op !== 0) unackedCount++;
    return {
      incompleteOperationCount: this.#queued.size + unackedCount,
      incompleteOperationSize: this.#queuedSize + this.#unackedSize,
      unackedOperationCount: unackedCount,
      unackedOperationSize: this.#unackedSize,
    };
  }

  // ---- commands -------------------------------------------------------------------------

  /**
   * Queues a PUBLISH and returns its operation id. Throws TypeError / RangeError on bad
   * arguments; failures found later (server limits) arrive as a "failed" event.
   */
  publish(message: OutgoingMessage, now: number): number {
    const action = "publish";
    checkTopicName(action, message.topic);
    if (!(message.payload instanceof Uint8Array)) {
      throw new TypeError(`Cannot publish to "${message.topic}": payload must be a Uint8Array`);
    }
    const qos = message.qos ?? 0;
    checkQoS(action, qos);
    const properties = message.properties;
    if (properties !== undefined) {
      this.#requireV5(action, "properties");
      if (properties.topicAlias !== undefined) {
        throw new TypeError(
          "Cannot publish: topicAlias is chosen by the client (set topicAliases: false to turn it off)",
        );
      }
      if (properties.subscriptionIdentifiers !== undefined) {
        // [MQTT-3.3.4-6] Only the server sends subscription identifiers.
        throw new TypeError("Cannot publish: subscriptionIdentifiers are set only by the server");
      }
      if (properties.messageExpiryInterval !== undefined) {
        checkInteger(
          action,
          "messageExpiryInterval",
          properties.messageExpiryInterval,
          0,
          0xffffffff,
        );
      }
      if (properties.responseTopic !== undefined) checkTopicName(action, properties.responseTopic);
    }
    this.#limits?.checkPublish({ topic: message.topic, payloadBytes: message.payload.length, qos });
    const packet: PublishPacket = {
      type: "publish",
      topic: message.topic,
      payload: message.payload,
      qos,
      retain: message.retain ?? false,
      dup: false,
      properties,
    };
    const expires = properties?.messageExpiryInterval !== undefined;
    return this.#enqueue(
      packet,
      message.payload.length + message.topic.length,
      expires ? now : undefined,
    );
  }

  /** Queues a SUBSCRIBE and returns its operation id. */
  subscribe(request: SubscribeRequest, _now: number): number {
    const action = "subscribe";
    if (!Array.isArray(request.subscriptions) || request.subscriptions.length === 0) {
      throw new TypeError("Cannot subscribe: at least one topic filter is required");
    }
    let size = 0;
    for (const subscription of request.subscriptions) {
      checkTopicFilter(action, subscription.topicFilter);
      checkQoS(action, subscription.qos);
      size += subscription.topicFilter.length + 1;
      const { noLocal, retainAsPublished, retainHandling } = subscription;
      if (noLocal || retainAsPublished || retainHandling) {
        this.#requireV5(action, "subscription options");
      }
      if (retainHandling !== undefined) {
        checkInteger(action, "retainHandling", retainHandling, 0, 2);
      }
      if (noLocal && subscription.topicFilter.startsWith("$share/")) {
        // [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error.
        throw new TypeError(
          `Cannot subscribe: noLocal is not allowed on shared subscription "${subscription.topicFilter}"`,
        );
      }
    }
    this.#limits?.checkSubscribe(request.subscriptions);
    if (request.properties !== undefined) {
      this.#requireV5(action, "properties");
      const id = request.properties.subscriptionIdentifier;
      if (id !== undefined) {
        checkInteger(action, "subscriptionIdentifier", id, 1, MAX_VARIABLE_BYTE_INTEGER);
      }
    }
    return this.#enqueue(
      {
        type: "subscribe",
        packetId: 0,
        subscriptions: request.subscriptions,
        properties: request.properties,
      },
      size,
    );
  }

  /** Queues an UNSUBSCRIBE and returns its operation id. */
  unsubscribe(request: UnsubscribeRequest, _now: number): number {
    const action = "unsubscribe";
    if (!Array.isArray(request.topicFilters) || request.topicFilters.length === 0) {
      throw new TypeError("Cannot unsubscribe: at least one topic filter is required");
    }
    let size = 0;
    for (const filter of request.topicFilters) {
      checkTopicFilter(action, filter);
      size += filter.length;
    }
    this.#limits?.checkUnsubscribe(request.topicFilters);
    if (request.properties !== undefined) this.#requireV5(action, "properties");
    return this.#enqueue(
      {
        type: "unsubscribe",
        packetId: 0,
        topicFilters: request.topicFilters,
        properties: request.properties,
      },
      size,
    );
  }

  /**
   * Stops waiting for operation `operation`: removes it from the queue if it was not sent,
   * or stops reporting it if it was (the protocol flow still runs to its end, so its packet
   * id stays taken until then). Returns false when the operation is not pending. No event is
   * emitted; the caller settles the operation itself.
   */
  cancel(operation: number): boolean {
    const command = this.#queued.get(operation);
    if (command) {
      command.cancelled = true;
      this.#queued.delete(operation);
      this.#queuedSize -= command.size;
      return true;
    }
    // In flight: at most Receive Maximum publishes plus (un)subscribes; cancelling is rare.
    for (const flight of this.#flights.values()) {
      if (flight.op === operation) {
        flight.op = 0;
        return true;
      }
    }
    return false;
  }

  /**
   * Drops every queued operation and stops reporting every sent one (the stop semantics of
   * coreMQTT-Agent): no event follows for any of them. In-flight QoS 1 / 2 flows stay in the
   * session and resume if it is resumed.
   */
  abandonOperations(): void {
    for (const command of this.#commands.drain()) {
      // A command restored from a store (id 0) is session state, not an operation: keep it.
      if (command.id === 0) this.#commands.push(command);
    }
    this.#queued.clear();
    this.#queuedSize = 0;
    for (const flight of this.#flights.values()) flight.op = 0;
  }

  /**
   * Forgets the subscriptions the session would restore after the server lost the session,
   * and drops restores still queued. The runner calls it when the client stops, since the
   * local subscribers those subscriptions served are gone; a restarted client subscribes anew.
   */
  forgetSubscriptions(): void {
    this.#active?.clear();
    for (const command of this.#commands.drain()) {
      const isRestore = command.id === 0 && command.packet.type === "subscribe";
      if (!isRestore) this.#commands.push(command);
    }
  }

  /**
   * Sends DISCONNECT (MQTT 5: with `reasonCode` and `properties`) and ends the connection.
   * Emits "disconnection" (or "connectionfailure" before CONNACK); the runner then flushes
   * what it polls and closes the transport.
   */
  disconnect(
    options: { reasonCode?: number; properties?: DisconnectProperties } = {},
    _now: number,
  ): void {
    const reasonCode = options.reasonCode ?? 0;
    checkInteger("disconnect", "reasonCode", reasonCode, 0, 255);
    if (this.protocolVersion === 4 && (reasonCode !== 0 || options.properties !== undefined)) {
      throw new TypeError("Cannot disconnect: a reason code and properties need MQTT 5");
    }
    const expiry = options.properties?.sessionExpiryInterval;
    if (expiry !== undefined && expiry !== 0 && !this.#connect?.properties?.sessionExpiryInterval) {
      // [MQTT-3.14.2-2] A session that CONNECT gave expiry 0 cannot be extended on DISCONNECT.
      throw new TypeError(
        "Cannot disconnect: sessionExpiryInterval cannot be set when CONNECT asked for 0",
      );
    }
    if (this.#state === "disconnected") return;
    const connected = this.#state === "connected";
    if (connected) {
      this.#outbox.push({
        packet: this.protocolVersion === 5
          ? { type: "disconnect", reasonCode, properties: options.properties }
          : { type: "disconnect" },
      });
    }
    this.#enterDisconnected();
    const error = new ConnectionClosedError(
      connected
        ? `Connection closed: the client disconnected with ${reasonCodeName(reasonCode)}`
        : "Cannot connect: the client disconnected before CONNACK",
      { reasonCode },
    );
    this.#events.push(
      connected ? { type: "disconnection", error } : { type: "connectionfailure", error },
    );
  }

  /**
   * MQTT 5 enhanced authentication: answers the server's AUTH challenge (reason code 0x18,
   * Continue authentication) or starts re-authentication (0x19).
   */
  sendAuth(
    options: { reasonCode: 0x18 | 0x19; authenticationData?: Uint8Array },
    _now: number,
  ): void {
    const method = this.#options.authenticationMethod;
    if (this.protocolVersion !== 5 || method === undefined) {
      throw new TypeError("Cannot authenticate: AUTH needs MQTT 5 and an authentication method");
    }
    if (options.reasonCode === 0x19) {
      if (this.#state !== "connected") {
        throw new TypeError("Cannot re-authenticate: the session is not connected");
      }
      this.#reauthenticating = true;
    } else if (this.#state === "disconnected") {
      throw new TypeError("Cannot authenticate: the session is not connected");
    }
    this.#outbox.push({
      packet: {
        type: "auth",
        reasonCode: options.reasonCode,
        properties: {
          authenticationMethod: method,
          authenticationData: options.authenticationData,
        },
      },
    });
  }

  /**
   * Changes CONNECT fields for the connections that follow (the current one is unaffected):
   * a field left out keeps its value, `null` removes it. The runner applies what a connect
   * options provider returns here before each attempt. Throws like the constructor on a bad
   * value, and leaves the options unchanged.
   *
   * @example Send a fresh token on the next connection
   * ```ts
   * import { Session } from "@tern/agent";
   *
   * const session = new Session({ clientId: "device-1", username: "device-1", password: "old" });
   * session.updateConnectOptions({ password: "fresh" });
   * session.handleConnectionOpened(0);
   * const connect = session.pollTransmit(0)!.packet;
   * console.log(connect.type === "connect" && new TextDecoder().decode(connect.password)); // "fresh"
   * ```
   */
  updateConnectOptions(update: ConnectUpdate): void {
    const next: SessionOptions = { ...this.#options };
    for (const key of ["username", "password", "will", "userProperties"] as const) {
      const value = update[key];
      if (value === null) delete next[key];
      else if (value !== undefined) (next as Record<string, unknown>)[key] = value;
    }
    checkOptions(next, "update connect options");
    const will = next.will;
    this.#limits?.checkConnect({
      clientId: this.#clientId,
      will: will && { topic: will.topic, payloadBytes: will.payload.length, qos: will.qos },
    });
    this.#options = next;
  }

  // ---- inputs ---------------------------------------------------------------------------

  /**
   * A new network connection is open: queues CONNECT. `authenticationData` is the
   * authenticator's initial data for MQTT 5 enhanced authentication.
   */
  handleConnectionOpened(now: number, options: { authenticationData?: Uint8Array } = {}): void {
    if (this.#state !== "disconnected") {
      throw new Error(`Cannot open a connection: the session is already ${this.#state}`);
    }
    const o = this.#options;
    const v5 = this.protocolVersion === 5;
    const properties: ConnectProperties = {};
    if (v5) {
      if (o.sessionExpiryInterval) properties.sessionExpiryInterval = o.sessionExpiryInterval;
      if (o.receiveMaximum !== undefined) properties.receiveMaximum = o.receiveMaximum;
      properties.maximumPacketSize = o.maximumPacketSize ?? DEFAULT_MAXIMUM_PACKET_SIZE;
      if (o.topicAliasMaximum) properties.topicAliasMaximum = o.topicAliasMaximum;
      if (o.requestResponseInformation !== undefined) {
        properties.requestResponseInformation = o.requestResponseInformation;
      }
      if (o.requestProblemInformation !== undefined) {
        properties.requestProblemInformation = o.requestProblemInformation;
      }
      if (o.userProperties !== undefined) properties.userProperties = o.userProperties;
      if (o.authenticationMethod !== undefined) {
        properties.authenticationMethod = o.authenticationMethod;
        if (options.authenticationData) properties.authenticationData = options.authenticationData;
      }
    }
    const password = typeof o.password === "string"
      ? new TextEncoder().encode(o.password)
      : o.password;
    this.#connect = {
      type: "connect",
      clientId: this.#clientId,
      cleanStart: cleanStartFor(o, v5, this.#everConnected),
      keepAlive: o.keepAlive ?? 60,
      username: o.username,
      password,
      will: o.will,
      properties: Object.keys(properties).length > 0 ? properties : undefined,
    };
    this.#outbox.drain();
    this.#aliasesIn?.clear();
    this.#aliasesOut = undefined;
    this.#pingSentAt = undefined;
    this.#reauthenticating = false;
    this.#state = "connecting";
    this.#connackDeadline = now + (o.connackTimeoutMs ?? DEFAULT_CONNACK_TIMEOUT_MS);
    this.#outbox.push({ packet: this.#connect });
  }

  /** A packet arrived from the server. Ignored once the connection is being closed. */
  handlePacket(packet: Packet, now: number): void {
    if (this.#state === "disconnected") return;
    if (this.#outbox.length >= MAX_UNSENT_ANSWERS) {
      // The server keeps sending packets that need answers while not reading ours (PUBREL
      // floods, say): close rather than let the answers pile up in memory.
      return this.#violation(
        `The server sent over ${MAX_UNSENT_ANSWERS} packets awaiting answers it does not read`,
        0x96,
        now,
      );
    }
    if (this.#state === "connecting") {
      if (packet.type === "connack") this.#onConnack(packet, now);
      else if (packet.type === "auth") this.#onAuth(packet, now);
      else this.#violation(`Unexpected ${name(packet)} before CONNACK`, 0x82, now);
      return;
    }
    switch (packet.type) {
      case "publish":
        return this.#onPublish(packet, now);
      case "puback":
        return this.#onPuback(packet, now);
      case "pubrec":
        return this.#onPubrec(packet, now);
      case "pubrel":
        return this.#onPubrel(packet);
      case "pubcomp":
        return this.#onPubcomp(packet, now);
      case "suback":
      case "unsuback":
        return this.#onSubscriptionAck(packet, now);
      case "pingresp":
        if (this.#pingSentAt === undefined) {
          return this.#violation("Unexpected PINGRESP: no PINGREQ is outstanding", 0x82, now);
        }
        this.#pingSentAt = undefined;
        return;
      case "disconnect":
        return this.#onDisconnect(packet, now);
      case "auth":
        return this.#onAuth(packet, now);
      case "connack":
        return this.#violation("Unexpected second CONNACK on one connection", 0x82, now);
      default:
        return this.#violation(`Unexpected ${name(packet)}: a server never sends it`, 0x82, now);
    }
  }

  /**
   * The decoder rejected the server's bytes (a MalformedPacketError or ProtocolError with a
   * reason code): closes the connection, in MQTT 5 after a DISCONNECT with that code.
   */
  handleProtocolError(error: Error & { reasonCode?: number }, now: number): void {
    if (this.#state === "disconnected") return;
    this.#violation(error.message, error.reasonCode ?? 0x81, now, error);
  }

  /** The transport closed or failed. Unwritten packets are dropped; flows resume later. */
  handleConnectionLost(_now: number, cause?: unknown): void {
    this.#outbox.drain();
    if (this.#state === "disconnected") return;
    const connected = this.#state === "connected";
    this.#enterDisconnected();
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    if (connected) {
      this.#events.push({
        type: "disconnection",
        error: new ConnectionClosedError(`Connection closed: the connection was lost${detail}`, {
          cause,
        }),
      });
    } else {
      this.#events.push({
        type: "connectionfailure",
        error: new ConnectionClosedError(
          `Cannot connect: the connection closed before CONNACK${detail}`,
          {
            cause,
          },
        ),
      });
    }
  }

  /** Time passed: CONNACK, PINGRESP and acknowledgement deadlines; keep-alive pings. */
  handleTimeout(now: number): void {
    // A throttled PUBLISH may leave now; the next pollTransmit() throttles again if not.
    if (this.#throttledUntil !== undefined && now >= this.#throttledUntil) {
      this.#throttledUntil = undefined;
    }
    if (this.#state === "connecting" && now >= this.#connackDeadline!) {
      this.#enterDisconnected();
      const ms = this.#options.connackTimeoutMs ?? DEFAULT_CONNACK_TIMEOUT_MS;
      this.#events.push({
        type: "connectionfailure",
        error: new TimeoutError(`Cannot connect: no CONNACK within ${ms} ms`),
      });
    } else if (this.#state === "connected" && this.#keepAliveMs > 0) {
      if (this.#pingSentAt !== undefined) {
        if (now >= this.#pingSentAt + this.#pingTimeoutMs) {
          // The link is dead: nothing more is sent on it.
          this.#enterDisconnected();
          this.#events.push({
            type: "disconnection",
            error: new ConnectionClosedError(
              `Connection closed: no PINGRESP within ${this.#pingTimeoutMs} ms`,
              { reasonCode: 0x8d },
            ),
          });
        }
      } else if (now >= this.#lastSentAt + this.#keepAliveMs) {
        this.#pingSentAt = now;
        this.#outbox.push({ packet: { type: "pingreq" } });
      }
    }
    for (
      let head = this.#ackDeadlines.peek();
      head && head.deadline <= now;
      head = this.#ackDeadlines.peek()
    ) {
      this.#ackDeadlines.shift();
      const flight = this.#flights.get(head.packetId);
      if (!flight || flight.op !== head.op || head.op === 0) continue;
      flight.op = 0;
      const ack = ackName(flight);
      this.#events.push({
        type: "failed",
        operation: head.op,
        error: new TimeoutError(
          `Cannot complete ${flight.packet.type}: no ${ack} within ${this.#options.ackTimeoutMs} ms`,
        ),
      });
    }
  }

  // ---- outputs --------------------------------------------------------------------------

  /** The next packet to write, or undefined when there is nothing (or no quota) to send. */
  pollTransmit(now: number): Transmit | undefined {
    const transmit = this.#outbox.shift() ??
      (this.#state === "connected" ? this.#dequeue(now) : undefined);
    if (transmit) this.#lastSentAt = now;
    return transmit;
  }

  /** The next event, or undefined. */
  pollEvent(): SessionEvent | undefined {
    return this.#events.shift();
  }

  /** When `handleTimeout` must be called next, or undefined when no deadline is pending. */
  pollTimeout(): number | undefined {
    let deadline: number | undefined;
    const consider = (at: number | undefined) => {
      if (at !== undefined && (deadline === undefined || at < deadline)) deadline = at;
    };
    if (this.#state === "connecting") consider(this.#connackDeadline);
    if (this.#state === "connected" && this.#keepAliveMs > 0) {
      consider(
        this.#pingSentAt !== undefined
          ? this.#pingSentAt + this.#pingTimeoutMs
          : this.#lastSentAt + this.#keepAliveMs,
      );
    }
    if (this.#state === "connected") consider(this.#throttledUntil);
    consider(this.#ackDeadlines.peek()?.deadline);
    return deadline;
  }

  // ---- internals ------------------------------------------------------------------------

  #requireV5(action: string, what: string): void {
    if (this.protocolVersion !== 5) throw new TypeError(`Cannot ${action}: ${what} need MQTT 5`);
  }

  #measure(packet: Packet): number {
    return this.#options.packetSize?.(packet) ?? 0;
  }

  #enqueue(packet: CommandPacket, size: number, queuedAt?: number): number {
    const policy = this.#options.offlineQueuePolicy ?? "failQos0PublishOnDisconnect";
    if (this.#state !== "connected" && !keeps(policy, packet, size)) {
      throw new OfflineError(
        `Cannot ${
          actionOf(packet)
        }: the client is disconnected and the offline queue policy ${policy} does not keep it`,
        { policy },
      );
    }
    const maxOperations = this.#options.maxQueuedOperations ?? 10_000;
    const maxBytes = this.#options.maxQueuedBytes ?? 16 * 1024 * 1024;
    if (this.#queued.size + 1 > maxOperations) {
      throw new QueueFullError(
        `Cannot ${
          actionOf(packet)
        }: the offline queue is full (${this.#queued.size} operations, limit ${maxOperations})`,
        { limit: "operations" },
      );
    }
    if (this.#queuedSize + size > maxBytes) {
      throw new QueueFullError(
        `Cannot ${
          actionOf(packet)
        }: the offline queue is full (${this.#queuedSize} bytes queued, ${size} more would pass the limit of ${maxBytes})`,
        { limit: "bytes" },
      );
    }
    const command: Command = { id: this.#nextOp++, packet, size, cancelled: false, queuedAt };
    this.#commands.push(command);
    this.#queued.set(command.id, command);
    this.#queuedSize += size;
    return command.id;
  }

  /** Takes the next command off the queue if the server's limits allow it to leave now. */
  #dequeue(now: number): Transmit | undefined {
    const settings = this.#settings!;
    for (let command = this.#commands.peek(); command; command = this.#commands.peek()) {
      if (command.cancelled) {
        this.#commands.shift();
        continue;
      }
      let packet = command.packet;
      if (command.queuedAt !== undefined) {
        const expiring = this.#countDownExpiry(command, now);
        if (expiring === undefined) continue;
        packet = expiring;
      }
      const refusal = refuse(packet, settings);
      if (refusal) {
        this.#dropCommand(command);
        this.#fail(command.id, refusal);
        continue;
      }
      const needsId = packet.type !== "publish" || packet.qos > 0;
      if (needsId) {
        // [MQTT-4.9.0-2] Never more unacknowledged QoS 1 / 2 publishes than Receive Maximum.
        if (
          packet.type === "publish" && this.#publishesInFlight >= settings.receiveMaximumToServer
        ) {
          return undefined;
        }
        if (this.#ids.size >= 65_535) return undefined;
      }
      const packetId = needsId ? this.#ids.take()! : undefined;
      const original: CommandPacket = packetId === undefined ? packet : { ...packet, packetId };
      let wire: CommandPacket = original;
      // Positive: an alias the server knows; negative: one to assign; 0: none.
      const alias = packet.type === "publish" ? this.#aliasesOut?.choose(packet.topic) ?? 0 : 0;
      if (alias !== 0) {
        const p = original as PublishPacket;
        wire = {
          ...p,
          topic: alias > 0 ? "" : p.topic,
          properties: { ...p.properties, topicAlias: Math.abs(alias) },
        };
      }
      let size: number;
      try {
        size = this.#measure(wire);
      } catch (error) {
        // The encoder refused the packet (a string or property it cannot encode).
        if (packetId !== undefined) this.#ids.release(packetId);
        this.#dropCommand(command);
        this.#fail(command.id, error as Error);
        continue;
      }
      if (size > settings.maximumPacketSizeToServer) {
        if (packetId !== undefined) this.#ids.release(packetId);
        this.#dropCommand(command);
        this.#fail(
          command.id,
          new ReasonCodeError(
            `Cannot ${packet.type}: the packet is ${size} bytes, more than the server's maximum packet size of ${settings.maximumPacketSizeToServer}`,
            { reasonCode: 0x95 },
          ),
        );
        continue;
      }
      if (this.#rate && packet.type === "publish") {
        const at = this.#rate.readyAt(now, size);
        if (at > now) {
          // Throttled by the broker's rate limits: the whole queue waits, in order.
          if (packetId !== undefined) this.#ids.release(packetId);
          this.#throttledUntil = at;
          return undefined;
        }
        this.#rate.reserve(now, size);
        this.#throttledUntil = undefined;
      }
      if (alias !== 0) this.#aliasesOut!.use((packet as PublishPacket).topic, Math.abs(alias));
      this.#dropCommand(command);
      if (packetId === undefined) {
        // QoS 0 completes when handed to the transport.
        if (command.id !== 0) {
          this.#events.push({
            type: "completed",
            operation: command.id,
            result: { reasonCode: 0 },
          });
        }
      } else {
        this.#flights.set(packetId, {
          op: command.id,
          packet: original,
          size,
          state: "awaitingAck",
        });
        this.#unackedSize += size;
        if (original.type === "publish") {
          this.#publishesInFlight++;
          this.#store?.putOutbound(this.#clientId, {
            packetId,
            state: "awaitingAck",
            packet: original,
          });
        }
        const ackTimeoutMs = this.#options.ackTimeoutMs ?? 0;
        if (ackTimeoutMs > 0 && command.id !== 0) {
          this.#ackDeadlines.push({ deadline: now + ackTimeoutMs, packetId, op: command.id });
        }
      }
      return { packet: wire, operation: command.id === 0 ? undefined : command.id };
    }
    return undefined;
  }

  /**
   * The publish with its Message Expiry Interval less the whole seconds it waited in the
   * queue [MQTT-3.3.2-6], or undefined when it expired there (the operation then failed).
   */
  #countDownExpiry(command: Command, now: number): CommandPacket | undefined {
    const packet = command.packet as PublishPacket;
    const interval = packet.properties!.messageExpiryInterval!;
    const waited = Math.floor((now - command.queuedAt!) / 1000);
    if (waited <= 0) return packet;
    if (waited >= interval) {
      this.#dropCommand(command);
      this.#fail(
        command.id,
        new MessageExpiredError(
          `Cannot publish to "${packet.topic}": the message expired after waiting ${waited} s in the queue (messageExpiryInterval ${interval})`,
          { messageExpiryInterval: interval, waitedSeconds: waited },
        ),
      );
      return undefined;
    }
    return {
      ...packet,
      properties: { ...packet.properties, messageExpiryInterval: interval - waited },
    };
  }

  #dropCommand(command: Command): void {
    this.#commands.shift();
    if (this.#queued.delete(command.id)) this.#queuedSize -= command.size;
  }

  #enterDisconnected(): void {
    if (this.#state === "connected") this.#failUnkeptCommands();
    this.#state = "disconnected";
    this.#connackDeadline = undefined;
    this.#pingSentAt = undefined;
    this.#aliasesOut = undefined;
    this.#aliasesIn?.clear();
    this.#reauthenticating = false;
  }

  /** The connection was lost: fails queued operations the offline queue policy does not keep. */
  #failUnkeptCommands(): void {
    const policy = this.#options.offlineQueuePolicy ?? "failQos0PublishOnDisconnect";
    for (const command of this.#queued.values()) {
      const { packet } = command;
      if (keeps(policy, packet, command.size)) continue;
      command.cancelled = true;
      this.#queued.delete(command.id);
      this.#queuedSize -= command.size;
      const action = actionOf(packet);
      this.#fail(
        command.id,
        new OfflineError(
          `Cannot ${action}: the connection was lost and the offline queue policy ${policy} does not keep it`,
          { policy },
        ),
      );
    }
  }

  /** The server broke the protocol: DISCONNECT (MQTT 5) with the matching code, then close. */
  #violation(message: string, reasonCode: number, _now: number, cause?: Error): void {
    const error = cause ?? new ProtocolError(message, { reasonCode });
    if (this.protocolVersion === 5) {
      this.#outbox.push({ packet: { type: "disconnect", reasonCode } });
    }
    const connected = this.#state === "connected";
    this.#enterDisconnected();
    const closed = new ConnectionClosedError(
      `Connection closed: ${message} (${reasonCodeName(reasonCode)})`,
      { reasonCode, cause: error },
    );
    this.#events.push(
      connected
        ? { type: "disconnection", error: closed }
        : { type: "connectionfailure", error: closed },
    );
  }

  #complete(op: number, result: OperationResult): void {
    if (op !== 0) this.#events.push({ type: "completed", operation: op, result });
  }

  #fail(op: number, error: Error): void {
    if (op !== 0) this.#events.push({ type: "failed", operation: op, error });
  }

  #finishFlight(packetId: number, flight: Flight): void {
    this.#flights.delete(packetId);
    this.#ids.release(packetId);
    this.#unackedSize -= flight.size;
    if (flight.packet.type === "publish") {
      this.#publishesInFlight--;
      this.#store?.deleteOutbound(this.#clientId, packetId);
    }
  }

  #onConnack(packet: ConnackPacket, now: number): void {
    const v5 = this.protocolVersion === 5;
    const connect = this.#connect!;
    const props = v5 ? packet.properties ?? {} : {};
    const refused = v5 ? packet.reasonCode >= 0x80 : packet.reasonCode !== 0;
    if (refused) {
      if (packet.sessionPresent) {
        // [MQTT-3.2.2-6] A refusing CONNACK has Session Present 0.
        return this.#violation("CONNACK refused the connection but set Session Present", 0x82, now);
      }
      this.#enterDisconnected();
      const why = v5 ? reasonCodeName(packet.reasonCode) : connectReturnCodeName(packet.reasonCode);
      this.#events.push({
        type: "connectionfailure",
        error: new ConnectionRefusedError(
          `Cannot connect: the server refused with ${why}${
            props.reasonString ? `: ${props.reasonString}` : ""
          }`,
          {
            reasonCode: packet.reasonCode,
            reasonString: props.reasonString,
            userProperties: props.userProperties,
            serverReference: props.serverReference,
          },
        ),
      });
      return;
    }
    const violation = connackViolation(packet, connect, this.#options.authenticationMethod);
    if (violation) return this.#violation(violation, 0x82, now);
    const negotiated = negotiateSettings(connect, packet, this.protocolVersion);
    const settings = {
      ...negotiated,
      receiveMaximumToServer: Math.min(
        negotiated.receiveMaximumToServer,
        this.#options.maximumInflight ?? (v5 ? 65_535 : DEFAULT_MQTT4_INFLIGHT),
      ),
    };
    const previousKey = this.#clientId;
    this.#clientId = settings.clientId;
    this.#settings = settings;
    this.#state = "connected";
    this.#everConnected = true;
    this.#connackDeadline = undefined;
    this.#keepAliveMs = settings.keepAlive * 1000;
    this.#pingTimeoutMs = this.#options.pingTimeoutMs ?? Math.min(30_000, this.#keepAliveMs / 2);
    this.#lastSentAt = now;
    this.#rate = this.#options.limits && createLimiter(this.#options.limits);
    this.#throttledUntil = undefined;
    if (v5 && (this.#options.topicAliases ?? true) && settings.topicAliasMaximumToServer > 0) {
      this.#aliasesOut = new OutboundTopicAliases(settings.topicAliasMaximumToServer);
    }
    if (packet.sessionPresent) {
      // [MQTT-4.4.0-1] Resend unacknowledged PUBLISH (DUP set) and PUBREL, in original order.
      for (const [packetId, flight] of this.#flights) {
        const op = flight.op === 0 ? undefined : flight.op;
        if (flight.packet.type === "publish" && flight.state === "released") {
          this.#outbox.push({ packet: { type: "pubrel", packetId } });
        } else if (flight.packet.type === "publish") {
          this.#outbox.push({ packet: { ...flight.packet, dup: true }, operation: op });
        } else {
          this.#outbox.push({ packet: flight.packet, operation: op });
        }
      }
    } else {
      // The server has no session: nothing in flight survives there, so everything not
      // completed is sent again as new, ahead of the queue and in its original order.
      this.#store?.clear(previousKey);
      if (previousKey !== this.#clientId) this.#store?.clear(this.#clientId);
      this.#inboundQoS2?.clear();
      const requeued: Command[] = [];
      for (const [packetId, flight] of this.#flights) {
        this.#ids.release(packetId);
        if (flight.packet.type === "publish" && flight.state === "released") {
          // PUBREC arrived: the server took the message; only PUBCOMP was missing.
          this.#complete(flight.op, pubrecResult(flight.pubrec));
          continue;
        }
        const command: Command = {
          id: flight.op,
          packet: flight.packet.type === "publish"
            ? { ...flight.packet, packetId: undefined }
            : flight.packet,
          size: flight.size,
          cancelled: false,
        };
        requeued.push(command);
        // A command no caller waits for (id 0) is not counted, as it is never uncounted.
        if (command.id !== 0) {
          this.#queued.set(command.id, command);
          this.#queuedSize += command.size;
        }
      }
      this.#flights.clear();
      this.#publishesInFlight = 0;
      this.#unackedSize = 0;
      // Subscriptions first, so that no queued publish or resent message goes out (and no
      // message is missed) before the server knows them again.
      this.#commands.unshiftAll([...this.#restoreSubscriptions(), ...requeued]);
    }
    this.#events.push({ type: "connectionsuccess", connack: packet, settings });
  }

  #onPublish(packet: PublishPacket, now: number): void {
    let topic = packet.topic;
    if (this.protocolVersion === 5) {
      const alias = packet.properties?.topicAlias;
      if (alias !== undefined) {
        const maximum = this.#options.topicAliasMaximum ?? 0;
        if (alias === 0 || alias > maximum) {
          // [MQTT-3.3.2-9] / [MQTT-3.3.2-10]
          return this.#violation(
            `PUBLISH uses topic alias ${alias}, outside 1 to ${maximum}`,
            0x94,
            now,
          );
        }
        if (topic === "") {
          const known = this.#aliasesIn?.get(alias);
          if (known === undefined) {
            return this.#violation(
              `PUBLISH uses topic alias ${alias}, which was never set`,
              0x82,
              now,
            );
          }
          topic = known;
        } else {
          (this.#aliasesIn ??= new Map()).set(alias, topic);
        }
      }
    }
    if (topic === "") {
      return this.#violation("PUBLISH has an empty topic name and no topic alias", 0x82, now);
    }
    if (topic.includes("+") || topic.includes("#")) {
      // [MQTT-3.3.2-2]
      return this.#violation(`PUBLISH topic name "${topic}" contains a wildcard`, 0x90, now);
    }
    const packetId = packet.packetId!;
    if (packet.qos === 2) {
      if (this.#inboundQoS2?.has(packetId)) {
        // Already delivered; the server did not see our PUBREC. [MQTT-4.3.3-9]
        this.#outbox.push({ packet: { type: "pubrec", packetId } });
        return;
      }
      const maximum = this.#options.receiveMaximum ?? 65_535;
      if ((this.#inboundQoS2?.size ?? 0) >= maximum) {
        // [MQTT-3.3.4-9] The server must respect the client's Receive Maximum.
        return this.#violation(
          `The server exceeded the client's Receive Maximum of ${maximum}`,
          0x93,
          now,
        );
      }
    }
    this.#events.push({
      type: "message",
      message: {
        topic,
        payload: packet.payload,
        qos: packet.qos,
        retain: packet.retain,
        dup: packet.dup,
        properties: packet.properties,
      },
    });
    if (packet.qos === 1) {
      this.#outbox.push({ packet: { type: "puback", packetId } });
    } else if (packet.qos === 2) {
      (this.#inboundQoS2 ??= new Set()).add(packetId);
      this.#store?.putInboundReceived(this.#clientId, packetId);
      this.#outbox.push({ packet: { type: "pubrec", packetId } });
    }
  }

  #onPuback(packet: PublishAckPacket, now: number): void {
    const flight = this.#flights.get(packet.packetId);
    if (!flight || flight.packet.type !== "publish" || flight.packet.qos !== 1) {
      return this.#violation(
        `Unexpected PUBACK: no QoS 1 publish in flight with packet id ${packet.packetId}`,
        0x82,
        now,
      );
    }
    this.#finishFlight(packet.packetId, flight);
    this.#settlePublish(flight, packet);
  }

  #onPubrec(packet: PublishAckPacket, now: number): void {
    const flight = this.#flights.get(packet.packetId);
    if (!flight || flight.packet.type !== "publish" || flight.packet.qos !== 2) {
      return this.#violation(
        `Unexpected PUBREC: no QoS 2 publish in flight with packet id ${packet.packetId}`,
        0x82,
        now,
      );
    }
    if ((packet.reasonCode ?? 0) >= 0x80) {
      // [MQTT-4.3.3-4] A failed PUBREC ends the flow: no PUBREL.
      this.#finishFlight(packet.packetId, flight);
      this.#settlePublish(flight, packet);
      return;
    }
    if (flight.state === "awaitingAck") {
      flight.state = "released";
      flight.pubrec = packet;
      this.#store?.putOutbound(this.#clientId, {
        packetId: packet.packetId,
        state: "released",
        packet: flight.packet as PublishPacket,
      });
    }
    // A repeated PUBREC gets the PUBREL again; it is idempotent.
    this.#outbox.push({ packet: { type: "pubrel", packetId: packet.packetId } });
  }

  #onPubrel(packet: PublishAckPacket): void {
    const known = this.#inboundQoS2?.delete(packet.packetId) ?? false;
    if (known) this.#store?.deleteInboundReceived(this.#clientId, packet.packetId);
    // [MQTT-4.3.3-11] Always answer PUBREL; an unknown id gets 0x92 in MQTT 5.
    this.#outbox.push({
      packet: this.protocolVersion === 5 && !known
        ? { type: "pubcomp", packetId: packet.packetId, reasonCode: 0x92 }
        : { type: "pubcomp", packetId: packet.packetId },
    });
  }

  #onPubcomp(packet: PublishAckPacket, now: number): void {
    const flight = this.#flights.get(packet.packetId);
    if (!flight || flight.packet.type !== "publish" || flight.state !== "released") {
      return this.#violation(
        `Unexpected PUBCOMP: no released QoS 2 publish with packet id ${packet.packetId}`,
        0x82,
        now,
      );
    }
    this.#finishFlight(packet.packetId, flight);
    if ((packet.reasonCode ?? 0) >= 0x80) {
      this.#settlePublish(flight, packet);
    } else {
      this.#complete(flight.op, pubrecResult(flight.pubrec));
    }
  }

  #settlePublish(flight: Flight, ack: PublishAckPacket): void {
    const reasonCode = ack.reasonCode ?? 0;
    if (reasonCode < 0x80) {
      return this.#complete(flight.op, { reasonCode, properties: ack.properties });
    }
    const topic = (flight.packet as PublishPacket).topic;
    const reasonString = ack.properties?.reasonString;
    this.#fail(
      flight.op,
      new ReasonCodeError(
        `Cannot publish to "${topic}": the server answered ${ack.type.toUpperCase()} with ${
          reasonCodeName(reasonCode)
        }${reasonString ? `: ${reasonString}` : ""}`,
        { reasonCode, reasonString, userProperties: ack.properties?.userProperties },
      ),
    );
  }

  /** SUBSCRIBE commands (no caller waits) for every active subscription, one per properties. */
  #restoreSubscriptions(): Command[] {
    if (this.#options.resubscribe === false) return [];
    const groups = new Map<
      string,
      { subscriptions: Subscription[]; properties?: SubscribeProperties }
    >();
    for (const { subscription, properties } of this.#active?.values() ?? []) {
      const key = JSON.stringify(properties ?? null);
      let group = groups.get(key);
      if (!group) groups.set(key, group = { subscriptions: [], properties });
      group.subscriptions.push(subscription);
    }
    return [...groups.values()].map(({ subscriptions, properties }) => {
      const packet: SubscribePacket = { type: "subscribe", packetId: 0, subscriptions, properties };
      const size = subscriptions.reduce((sum, s) => sum + s.topicFilter.length + 1, 0);
      return { id: 0, packet, size, cancelled: false };
    });
  }

  /** Keeps the set of granted subscriptions current from a SUBACK or UNSUBACK. */
  #trackSubscriptions(packet: SubackPacket | UnsubackPacket, flight: Flight): void {
    if (flight.packet.type === "subscribe") {
      const { subscriptions, properties } = flight.packet;
      subscriptions.forEach((subscription, i) => {
        if ((packet.reasonCodes[i] ?? 0x80) < 0x80) {
          (this.#active ??= new Map()).set(subscription.topicFilter, { subscription, properties });
        } else {
          this.#active?.delete(subscription.topicFilter);
        }
      });
    } else if (flight.packet.type === "unsubscribe") {
      for (const filter of flight.packet.topicFilters) this.#active?.delete(filter);
    }
  }

  #onSubscriptionAck(packet: SubackPacket | UnsubackPacket, now: number): void {
    const wanted = packet.type === "suback" ? "subscribe" : "unsubscribe";
    const flight = this.#flights.get(packet.packetId);
    if (!flight || flight.packet.type !== wanted) {
      return this.#violation(
        `Unexpected ${
          name(packet)
        }: no ${wanted.toUpperCase()} in flight with packet id ${packet.packetId}`,
        0x82,
        now,
      );
    }
    const count = flight.packet.type === "subscribe"
      ? flight.packet.subscriptions.length
      : (flight.packet as UnsubscribePacket).topicFilters.length;
    const v4Unsuback = packet.type === "unsuback" && this.protocolVersion === 4;
    if (!v4Unsuback && packet.reasonCodes.length !== count) {
      return this.#violation(
        `${name(packet)} has ${packet.reasonCodes.length} reason codes for ${count} topic filters`,
        0x82,
        now,
      );
    }
    this.#trackSubscriptions(packet, flight);
    this.#finishFlight(packet.packetId, flight);
    this.#complete(flight.op, {
      reasonCodes: v4Unsuback ? new Array(count).fill(0) : packet.reasonCodes,
      properties: packet.properties,
    });
  }

  #onDisconnect(packet: Packet & { type: "disconnect" }, now: number): void {
    if (this.protocolVersion === 4) {
      return this.#violation(
        "Unexpected DISCONNECT: an MQTT 3.1.1 server never sends it",
        0x82,
        now,
      );
    }
    const props = packet.properties ?? {};
    if (props.sessionExpiryInterval !== undefined) {
      // [MQTT-3.14.2-2] A server must not send Session Expiry Interval in DISCONNECT.
      return this.#violation("Server DISCONNECT carries a Session Expiry Interval", 0x82, now);
    }
    const reasonCode = packet.reasonCode ?? 0;
    this.#enterDisconnected();
    this.#events.push({
      type: "disconnection",
      error: new ConnectionClosedError(
        `Connection closed: the server sent DISCONNECT with ${reasonCodeName(reasonCode)}${
          props.reasonString ? `: ${props.reasonString}` : ""
        }`,
        {
          reasonCode,
          reasonString: props.reasonString,
          userProperties: props.userProperties,
          serverReference: props.serverReference,
          byServer: true,
        },
      ),
    });
  }

  #onAuth(packet: AuthPacket, now: number): void {
    const method = this.#options.authenticationMethod;
    if (this.protocolVersion === 4 || method === undefined) {
      return this.#violation(
        "Unexpected AUTH: the client asked for no enhanced authentication",
        0x82,
        now,
      );
    }
    if (packet.properties?.authenticationMethod !== method) {
      // [MQTT-4.12.0-5]
      return this.#violation("AUTH names a different authentication method", 0x82, now);
    }
    const reasonCode = packet.reasonCode ?? 0;
    const accepted = reasonCode === 0x18 || (reasonCode === 0 && this.#reauthenticating);
    if (!accepted) {
      return this.#violation(`Unexpected AUTH with ${reasonCodeName(reasonCode)}`, 0x82, now);
    }
    if (reasonCode === 0) this.#reauthenticating = false;
    this.#events.push({ type: "auth", packet });
  }
}

function name(packet: Packet): string {
  return packet.type.toUpperCase();
}

function ackName(flight: Flight): string {
  const packet = flight.packet;
  if (packet.type !== "publish") return ACK_NAME[packet.type];
  if (packet.qos === 1) return ACK_NAME.publish1;
  return flight.state === "released" ? ACK_NAME.publish2 : "PUBREC";
}

function pubrecResult(pubrec: PublishAckPacket | undefined) {
  return { reasonCode: pubrec?.reasonCode ?? 0, properties: pubrec?.properties };
}

function connectReturnCodeName(code: number): string {
  const entry = Object.entries(ConnectReturnCode).find(([, value]) => value === code);
  return entry ? entry[0] : `return code ${code}`;
}

/** Whether the offline queue policy keeps this command across a disconnect. */
function keeps(policy: OfflineQueuePolicy, packet: CommandPacket, size: number): boolean {
  const qos: QoS | undefined = packet.type === "publish" ? packet.qos : undefined;
  return keepsOnDisconnect(policy, { kind: packet.type, qos, bytes: size, fail() {} });
}

/** Clean Start for the next CONNECT, by `sessionBehavior` or else by `cleanStart`. */
function cleanStartFor(options: SessionOptions, v5: boolean, everConnected: boolean): boolean {
  switch (options.sessionBehavior) {
    case "clean":
      return true;
    case "rejoinPostSuccess":
      return !everConnected;
    case "rejoinAlways":
      return false;
    default:
      return v5 && everConnected ? false : options.cleanStart ?? true;
  }
}

/** What an operation does, for error messages (built only when one is thrown). */
function actionOf(packet: CommandPacket): string {
  return packet.type === "publish" ? `publish at QoS ${packet.qos}` : packet.type;
}
