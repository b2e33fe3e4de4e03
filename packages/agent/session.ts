import { ProtocolError, reasonCodeName } from "@tern/codec";
import type {
  AuthPacket,
  ConnackPacket,
  ConnectPacket,
  DisconnectPacket,
  DisconnectProperties,
  Packet,
  ProtocolVersion,
  PublishAckPacket,
  PublishPacket,
  SubscribePacket,
  UnsubscribePacket,
} from "@tern/codec";
import { ConnectionClosedError, TimeoutError } from "./errors.ts";
import { createLimiter, type Limiter } from "./limits.ts";
import type { NegotiatedSettings } from "./negotiated_settings.ts";
import type {
  ConnectUpdate,
  OperationResult,
  OutgoingMessage,
  PacketSink,
  SessionEvent,
  SessionOptions,
  SessionState,
  SessionStats,
  SubscribeRequest,
  Transmit,
  UnsubscribeRequest,
} from "./session_types.ts";
import { ActiveSubscriptions } from "./_active_subscriptions.ts";
import { type CommandPacket, CommandQueue } from "./_command_queue.ts";
import { Fifo } from "./_fifo.ts";
import { EnhancedAuth } from "./_enhanced_auth.ts";
import { acceptConnack, acceptDisconnect, buildConnect } from "./_handshake.ts";
import { InboundFlows } from "./_inbound_flows.ts";
import { type Ack, Inflight } from "./_inflight.ts";
import * as checks from "./_session_checks.ts";
import { mergeConnectUpdate, type ResolvedOptions, resolveOptions } from "./_session_options.ts";
import { ENCODING, measure, Outbound } from "./_outbound.ts";
import { Timers } from "./_timers.ts";
import { TopicAliases } from "./_topic_aliases.ts";

export { DEFAULT_MAXIMUM_PACKET_SIZE } from "./_session_options.ts";

// Answers (PUBACK, PUBREC, PUBCOMP, ...) waiting to be written; far above any honest backlog.
const MAX_UNSENT_ANSWERS = 100_000;

/**
 * The sans-IO MQTT session: a pure state machine for one client session, across any number
 * of network connections. It performs no I/O and never reads the clock.
 *
 * Inputs: `handleConnectionOpened`, `handlePacket`, `handleProtocolError`,
 * `handleConnectionLost` and `handleTimeout`, each with the current time in milliseconds;
 * commands `publish`, `subscribe`, `unsubscribe`, `ping`, `disconnect`, `sendAuth`, `cancel`.
 * Outputs, pulled: `pollTransmit(now, out?)` (the next packet to write, encoded into `out`
 * when given), `pollEvent()` (completions, deliveries, connection events) and
 * `pollTimeout()` (when to call `handleTimeout` next).
 *
 * Commands leave in call order. A QoS 1 / 2 publish waits in the queue while the server's
 * Receive Maximum is used up; packet identifiers are taken only when a packet leaves, so a
 * long queue never exhausts them. Every packet that leaves is measured (by `out`, or by the
 * codec), so the server's Maximum Packet Size holds and `stats()` reports real sizes.
 *
 * Where each flow lives (the session composes them and dispatches by packet type):
 *
 * | flow | file |
 * | --- | --- |
 * | CONNECT, CONNACK rules, negotiated settings, `maximumInflight` cap; server DISCONNECT | `_handshake.ts` |
 * | the queue: its limits, the offline queue policy, message expiry while queued | `_command_queue.ts` |
 * | the gates a queued command passes on its way out, in order (Maximum Packet Size, rates) | `_outbound.ts` |
 * | outbound flows: packet ids, Receive Maximum (`canOpen`), acknowledgements, ack timeouts | `_inflight.ts` |
 * | resend on reconnect [MQTT-4.4.0-1], or again as new when the server lost the session | `_inflight.ts` (`resend`, `requeueAsNew`) |
 * | inbound QoS 2 exactly once, within the client's Receive Maximum | `_inbound_flows.ts` |
 * | topic aliases, both directions; the inbound topic name rules | `_topic_aliases.ts` |
 * | keep-alive, PINGRESP, the CONNACK timeout, the rate-limit throttle | `_timers.ts` |
 * | `ping()` on demand: its operations and round trip | here, on `_timers.ts` |
 * | granted subscriptions, restored when the server lost the session | `_active_subscriptions.ts` |
 * | MQTT 5 enhanced authentication (AUTH) | `_enhanced_auth.ts` |
 * | argument checks; what the server said it supports (`refuse`) | `_session_checks.ts` |
 * | option defaults, resolved once | `_session_options.ts` |
 * | connection state, dispatch, protocol violations, events | here |
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
  /** The options as given (and updated), which `updateConnectOptions` checks again. */
  #given: SessionOptions;
  #options: ResolvedOptions;
  #clientId: string;
  #state: SessionState = "disconnected";
  #everConnected = false;
  #connect?: ConnectPacket;
  #settings?: NegotiatedSettings;
  #auth: EnhancedAuth;
  /** Size, QoS and topic checks of `options.limits`. */
  #limits?: Limiter;

  #outbox = new Fifo<Transmit>();
  #events = new Fifo<SessionEvent>();
  #queue: CommandQueue;
  #inflight: Inflight;
  #inbound: InboundFlows;
  #aliases: TopicAliases;
  #active = new ActiveSubscriptions();
  #timers = new Timers();
  #outbound: Outbound;
  /** Operations of `ping()` waiting for the PINGRESP of the outstanding PINGREQ. */
  #pings: number[] = [];
  /** When the last PINGREQ was polled for writing. */
  #pingSentAt = 0;

  /** Creates a session; in-flight state found in `options.store` is resent after connecting. */
  constructor(options: SessionOptions = {}) {
    checks.checkOptions(options);
    this.#given = options;
    const o = this.#options = resolveOptions(options);
    this.protocolVersion = o.protocolVersion;
    this.#clientId = o.clientId;
    if (o.limits) {
      this.#limits = createLimiter(o.limits);
      checks.checkConnectLimits(this.#limits, this.#clientId, o);
    }
    this.#queue = new CommandQueue(o, this.#events);
    const encoding = ENCODING[o.protocolVersion];
    this.#inflight = new Inflight(o, (packet) => measure(packet, encoding, o.packetSize));
    this.#inbound = new InboundFlows(o.inboundReceiveMaximum, o.store, o.clientId);
    this.#aliases = new TopicAliases(o.topicAliasMaximum);
    this.#auth = new EnhancedAuth(o.protocolVersion, o.authenticationMethod);
    this.#outbound = new Outbound({
      version: o.protocolVersion,
      queue: this.#queue,
      inflight: this.#inflight,
      aliases: this.#aliases,
      timers: this.#timers,
      packetSize: o.packetSize,
      events: this.#events,
    });
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
    const unacked = this.#inflight.count;
    return {
      incompleteOperationCount: this.#queue.count + unacked,
      incompleteOperationSize: this.#queue.bytes + this.#inflight.bytes,
      unackedOperationCount: unacked,
      unackedOperationSize: this.#inflight.bytes,
    };
  }

  // ---- commands: checked, then queued -----------------------------------------------------

  /**
   * Queues a PUBLISH and returns its operation id. Throws TypeError / RangeError on bad
   * arguments; failures found later (server limits) arrive as a "failed" event.
   */
  publish(message: OutgoingMessage, now: number): number {
    const size = checks.checkPublish(message, this.protocolVersion, this.#limits);
    const properties = message.properties;
    const packet: PublishPacket = {
      type: "publish",
      topic: message.topic,
      payload: message.payload,
      qos: message.qos ?? 0,
      retain: message.retain ?? false,
      dup: false,
      properties,
    };
    const expires = properties?.messageExpiryInterval !== undefined;
    return this.#enqueue(packet, size, expires ? now : undefined);
  }

  /** Queues a SUBSCRIBE and returns its operation id. */
  subscribe(request: SubscribeRequest, _now: number): number {
    const size = checks.checkSubscribe(request, this.protocolVersion, this.#limits);
    const { subscriptions, properties } = request;
    return this.#enqueue({ type: "subscribe", packetId: 0, subscriptions, properties }, size);
  }

  /** Queues an UNSUBSCRIBE and returns its operation id. */
  unsubscribe(request: UnsubscribeRequest, _now: number): number {
    const size = checks.checkUnsubscribe(request, this.protocolVersion, this.#limits);
    const { topicFilters, properties } = request;
    return this.#enqueue({ type: "unsubscribe", packetId: 0, topicFilters, properties }, size);
  }

  /**
   * Sends a PINGREQ ahead of any queued command (coreMQTT-Agent's `MQTTAgent_Ping`) and
   * returns its operation id, which completes with `{ roundTripMs }` on the PINGRESP. While
   * a PINGREQ is outstanding already (keep-alive's, or another ping's), the operation waits
   * for its PINGRESP instead of sending another. No PINGRESP within `pingTimeoutMs` fails it
   * with a TimeoutError and closes the connection, as for keep-alive.
   *
   * @throws {ConnectionClosedError} If the session is not connected.
   *
   * @example Measure the round trip on a numeric clock
   * ```ts
   * import { Session } from "@tern/agent";
   *
   * const session = new Session({ clientId: "pinger" });
   * session.handleConnectionOpened(0);
   * session.pollTransmit(0);
   * session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, 1);
   * session.pollEvent();
   * const id = session.ping(10);
   * console.log(session.pollTransmit(12)?.packet.type); // "pingreq"
   * session.handlePacket({ type: "pingresp" }, 40);
   * const done = session.pollEvent();
   * console.log(done?.type === "completed" && done.operation === id && done.result); // { roundTripMs: 28 }
   * ```
   */
  ping(now: number): number {
    if (this.#state !== "connected") {
      throw new ConnectionClosedError("Cannot ping: the client is not connected");
    }
    const operation = this.#queue.newId();
    if (!this.#timers.running("pingResponse")) {
      this.#timers.pingSent(now);
      this.#outbox.push({ packet: { type: "pingreq" }, operation });
    }
    this.#pings.push(operation);
    return operation;
  }

  /**
   * Stops waiting for operation `operation`: removes it from the queue if it was not sent,
   * or stops reporting it if it was (the protocol flow still runs to its end, so its packet
   * id stays taken until then). Returns false when the operation is not pending. No event is
   * emitted; the caller settles the operation itself.
   */
  cancel(operation: number): boolean {
    const ping = this.#pings.indexOf(operation);
    if (ping >= 0) {
      // The PINGREQ, if already queued, still goes: keep-alive is none the worse for it.
      this.#pings.splice(ping, 1);
      return true;
    }
    return this.#queue.cancel(operation) || this.#inflight.cancel(operation);
  }

  /**
   * Drops every queued operation and stops reporting every sent one (the stop semantics of
   * coreMQTT-Agent): no event follows for any of them. In-flight QoS 1 / 2 flows stay in the
   * session and resume if it is resumed.
   */
  abandonOperations(): void {
    this.#pings = [];
    this.#queue.abandon();
    this.#inflight.abandon();
  }

  /**
   * Forgets the subscriptions the session would restore after the server lost the session,
   * and drops restores still queued. The runner calls it when the client stops, since the
   * local subscribers those subscriptions served are gone; a restarted client subscribes anew.
   */
  forgetSubscriptions(): void {
    this.#active.clear();
    this.#queue.forgetRestores();
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
    const packet = checks.checkDisconnect(options, this.protocolVersion, this.#connect);
    if (this.#state === "disconnected") return;
    const connected = this.#state === "connected";
    if (connected) this.#outbox.push({ packet });
    const reasonCode = packet.reasonCode ?? 0;
    this.#closed(
      connected,
      connected
        ? `Connection closed: the client disconnected with ${reasonCodeName(reasonCode)}`
        : "Cannot connect: the client disconnected before CONNACK",
      { reasonCode },
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
    const { reasonCode, authenticationData } = options;
    this.#outbox.push({ packet: this.#auth.request(reasonCode, this.#state, authenticationData) });
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
    const next = mergeConnectUpdate(this.#given, update);
    checks.checkOptions(next, "update connect options");
    checks.checkConnectLimits(this.#limits, this.#clientId, next);
    this.#given = next;
    this.#options = resolveOptions(next);
  }

  // ---- inputs -----------------------------------------------------------------------------

  /**
   * A new network connection is open: queues CONNECT. `authenticationData` is the
   * authenticator's initial data for MQTT 5 enhanced authentication.
   */
  handleConnectionOpened(now: number, options: { authenticationData?: Uint8Array } = {}): void {
    if (this.#state !== "disconnected") {
      throw new Error(`Cannot open a connection: the session is already ${this.#state}`);
    }
    this.#connect = buildConnect(this.#options, {
      clientId: this.#clientId,
      everConnected: this.#everConnected,
      authenticationData: options.authenticationData,
    });
    this.#outbox.drain();
    this.#aliases.reset();
    this.#auth.reset();
    this.#state = "connecting";
    this.#timers.set("connack", now + this.#options.connackTimeoutMs);
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
      );
    }
    if (this.#state === "connecting") {
      if (packet.type === "connack") this.#onConnack(packet, now);
      else if (packet.type === "auth") this.#onAuth(packet);
      else this.#violation(`Unexpected ${name(packet)} before CONNACK`, 0x82);
      return;
    }
    switch (packet.type) {
      case "publish":
        return this.#onPublish(packet);
      case "puback":
      case "pubrec":
      case "pubcomp":
      case "suback":
      case "unsuback":
        return this.#onAck(packet);
      case "pubrel":
        return this.#onPubrel(packet);
      case "pingresp":
        if (!this.#timers.running("pingResponse")) {
          return this.#violation("Unexpected PINGRESP: no PINGREQ is outstanding", 0x82);
        }
        this.#timers.set("pingResponse", undefined);
        return this.#settlePings({ roundTripMs: now - this.#pingSentAt });
      case "disconnect":
        return this.#onDisconnect(packet);
      case "auth":
        return this.#onAuth(packet);
      case "connack":
        return this.#violation("Unexpected second CONNACK on one connection", 0x82);
      default:
        return this.#violation(`Unexpected ${name(packet)}: a server never sends it`, 0x82);
    }
  }

  /**
   * The decoder rejected the server's bytes (a MalformedPacketError or ProtocolError with a
   * reason code): closes the connection, in MQTT 5 after a DISCONNECT with that code.
   */
  handleProtocolError(error: Error & { reasonCode?: number }, _now: number): void {
    if (this.#state === "disconnected") return;
    this.#violation(error.message, error.reasonCode ?? 0x81, error);
  }

  /** The transport closed or failed. Unwritten packets are dropped; flows resume later. */
  handleConnectionLost(_now: number, cause?: unknown): void {
    this.#outbox.drain();
    if (this.#state === "disconnected") return;
    const connected = this.#state === "connected";
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    this.#closed(
      connected,
      connected
        ? `Connection closed: the connection was lost${detail}`
        : `Cannot connect: the connection closed before CONNACK${detail}`,
      { cause },
    );
  }

  /** Time passed: CONNACK, PINGRESP and acknowledgement deadlines; keep-alive pings. */
  handleTimeout(now: number): void {
    const due = this.#timers.due(now);
    if (due === "connack") {
      this.#enterDisconnected();
      const ms = this.#options.connackTimeoutMs;
      this.#events.push({
        type: "connectionfailure",
        error: new TimeoutError(`Cannot connect: no CONNACK within ${ms} ms`),
      });
    } else if (due === "pingResponse") {
      // The link is dead: nothing more is sent on it.
      const ms = this.#timers.pingTimeoutMs;
      this.#settlePings(new TimeoutError(`Cannot ping: no PINGRESP within ${ms} ms`));
      this.#closed(true, `Connection closed: no PINGRESP within ${ms} ms`, { reasonCode: 0x8d });
    } else if (due === "keepAlive") {
      this.#timers.pingSent(now);
      this.#outbox.push({ packet: { type: "pingreq" } });
    }
    this.#inflight.expire(now, (op, error) => this.#fail(op, error));
  }

  // ---- outputs ----------------------------------------------------------------------------

  /**
   * The next packet to write, or undefined when there is nothing (or no quota) to send.
   * With `out`, the packet is encoded there too; without, the session measures it.
   */
  pollTransmit(now: number, out?: PacketSink): Transmit | undefined {
    let transmit = this.#outbox.shift();
    if (transmit) {
      if (out) {
        out.stage(transmit.packet, this.protocolVersion);
        out.commit();
      }
    } else if (this.#state === "connected") {
      transmit = this.#outbound.next(now, out);
    }
    if (transmit) {
      this.#timers.sent(now);
      if (transmit.packet.type === "pingreq") this.#pingSentAt = now;
    }
    return transmit;
  }

  /** The next event, or undefined. */
  pollEvent(): SessionEvent | undefined {
    return this.#events.shift();
  }

  /** When `handleTimeout` must be called next, or undefined when no deadline is pending. */
  pollTimeout(): number | undefined {
    const next = this.#timers.next();
    const ack = this.#inflight.nextDeadline();
    return ack === undefined || (next !== undefined && next <= ack) ? next : ack;
  }

  #enqueue(packet: CommandPacket, size: number, queuedAt?: number): number {
    return this.#queue.enqueue(packet, size, this.#state === "connected", queuedAt);
  }

  #enterDisconnected(): void {
    if (this.#state === "connected") this.#queue.failUnkept();
    if (this.#pings.length > 0) {
      this.#settlePings(
        new ConnectionClosedError("Cannot ping: the connection closed before PINGRESP"),
      );
    }
    this.#state = "disconnected";
    this.#timers.stopAll();
    this.#aliases.reset();
    this.#auth.reset();
  }

  /** The connection ended: "disconnection" once accepted, "connectionfailure" before. */
  #closed(
    connected: boolean,
    message: string,
    options: ConstructorParameters<typeof ConnectionClosedError>[1],
  ): void {
    this.#enterDisconnected();
    const error = new ConnectionClosedError(message, options);
    this.#events.push(
      connected ? { type: "disconnection", error } : { type: "connectionfailure", error },
    );
  }

  /** The server broke the protocol: DISCONNECT (MQTT 5) with the matching code, then close. */
  #violation(message: string, reasonCode: number, cause?: Error): void {
    const error = cause ?? new ProtocolError(message, { reasonCode });
    if (this.protocolVersion === 5) {
      this.#outbox.push({ packet: { type: "disconnect", reasonCode } });
    }
    this.#closed(
      this.#state === "connected",
      `Connection closed: ${message} (${reasonCodeName(reasonCode)})`,
      { reasonCode, cause: error },
    );
  }

  /** Completes (or fails) every operation waiting for the PINGRESP. */
  #settlePings(outcome: OperationResult | Error): void {
    const pings = this.#pings;
    this.#pings = [];
    for (const op of pings) {
      if (outcome instanceof Error) this.#fail(op, outcome);
      else this.#complete(op, outcome);
    }
  }

  #complete(op: number, result: OperationResult): void {
    if (op !== 0) this.#events.push({ type: "completed", operation: op, result });
  }

  #fail(op: number, error: Error): void {
    if (op !== 0) this.#events.push({ type: "failed", operation: op, error });
  }

  #onConnack(packet: ConnackPacket, now: number): void {
    const outcome = acceptConnack(packet, this.#connect!, this.#options);
    if ("violation" in outcome) return this.#violation(outcome.violation, 0x82);
    if ("refused" in outcome) {
      this.#enterDisconnected();
      this.#events.push({ type: "connectionfailure", error: outcome.refused, connack: packet });
      return;
    }
    const { settings } = outcome;
    const o = this.#options;
    const previousKey = this.#clientId;
    this.#clientId = this.#inflight.clientId = this.#inbound.clientId = settings.clientId;
    this.#settings = settings;
    this.#state = "connected";
    this.#everConnected = true;
    this.#timers.set("connack", undefined);
    this.#timers.startKeepAlive(now, settings.keepAlive * 1000, o.pingTimeoutMs);
    this.#outbound.connected(settings, o.limits && createLimiter(o.limits));
    if (this.protocolVersion === 5 && o.topicAliases) {
      this.#aliases.start(settings.topicAliasMaximumToServer);
    }
    if (packet.sessionPresent) {
      this.#inflight.resend(this.#outbox);
    } else {
      this.#options.store?.clear(previousKey);
      if (previousKey !== this.#clientId) this.#options.store?.clear(this.#clientId);
      this.#inbound.clear();
      const requeued = this.#inflight.requeueAsNew((op, result) => this.#complete(op, result));
      // Subscriptions first, so that no queued publish or resent message goes out (and no
      // message is missed) before the server knows them again.
      const restores = o.resubscribe ? this.#active.restoreCommands() : [];
      this.#queue.requeueFront([...restores, ...requeued]);
    }
    this.#events.push({ type: "connectionsuccess", connack: packet, settings });
  }

  #onPublish(packet: PublishPacket): void {
    const topic = this.#aliases.topicOf(packet, this.protocolVersion === 5);
    if (typeof topic !== "string") return this.#violation(topic.violation, topic.reasonCode);
    const packetId = packet.packetId!;
    if (packet.qos === 2) {
      const verdict = this.#inbound.receive(packetId);
      if (verdict === "duplicate") {
        this.#outbox.push({ packet: { type: "pubrec", packetId } });
        return;
      }
      if (verdict !== "new") return this.#violation(verdict.violation, verdict.reasonCode);
    }
    const { payload, qos, retain, dup, properties } = packet;
    this.#events.push({
      type: "message",
      message: { topic, payload, qos, retain, dup, properties },
    });
    if (qos === 1) {
      this.#outbox.push({ packet: { type: "puback", packetId } });
    } else if (qos === 2) {
      this.#inbound.record(packetId);
      this.#outbox.push({ packet: { type: "pubrec", packetId } });
    }
  }

  /** PUBACK, PUBREC, PUBCOMP, SUBACK or UNSUBACK: the outbound flow moves on or ends. */
  #onAck(packet: Ack): void {
    const outcome = this.#inflight.acknowledge(packet, this.protocolVersion === 4);
    if ("violation" in outcome) return this.#violation(outcome.violation, 0x82);
    if ("pubrel" in outcome) {
      // A repeated PUBREC gets the PUBREL again; it is idempotent.
      this.#outbox.push({ packet: { type: "pubrel", packetId: outcome.pubrel } });
      return;
    }
    const { flight } = outcome;
    if (packet.type === "suback" || packet.type === "unsuback") {
      this.#active.track(packet, flight.packet as SubscribePacket | UnsubscribePacket);
    }
    if ("error" in outcome) this.#fail(flight.op, outcome.error);
    else this.#complete(flight.op, outcome.result);
  }

  #onPubrel(packet: PublishAckPacket): void {
    const known = this.#inbound.release(packet.packetId);
    // [MQTT-4.3.3-11] Always answer PUBREL; an unknown id gets 0x92 in MQTT 5.
    this.#outbox.push({
      packet: this.protocolVersion === 5 && !known
        ? { type: "pubcomp", packetId: packet.packetId, reasonCode: 0x92 }
        : { type: "pubcomp", packetId: packet.packetId },
    });
  }

  #onDisconnect(packet: DisconnectPacket): void {
    const outcome = acceptDisconnect(packet, this.protocolVersion);
    if (typeof outcome === "string") return this.#violation(outcome, 0x82);
    this.#enterDisconnected();
    this.#events.push({ type: "disconnection", error: outcome, disconnect: packet });
  }

  #onAuth(packet: AuthPacket): void {
    const violation = this.#auth.judge(packet);
    if (violation) return this.#violation(violation, 0x82);
    this.#events.push({ type: "auth", packet });
  }
}

function name(packet: Packet): string {
  return packet.type.toUpperCase();
}
