import {
  type ConnackProperties,
  type ConnectPacket,
  encode,
  MAX_PACKET_SIZE,
  type Packet,
  type ProtocolVersion,
  type PublishPacket,
  type QoS,
  type SubscribePacket,
  type UnsubscribePacket,
} from "@tern/codec";
import { parseSharedSubscription, validateTopicFilter } from "@tern/subscriptions";
import type { ClientInfo, SubscribeDecision } from "./hooks.ts";
import type { BrokerCore } from "./_core.ts";
import { type Delivery, type Message, messageFrom, own } from "./_message.ts";
import type { Outlet, Session, Sub } from "./_session.ts";
import { connectReturnCode } from "./_connack.ts";

/** What the connection runner gives the protocol: a byte sink it flushes in order. */
export interface Link {
  /** Bytes written and not yet taken by the socket. */
  readonly backlog: number;
  write(bytes: Uint8Array): void;
  /** Closes the connection once what was written is flushed. */
  close(): void;
}

/** How authentication ended, as the runner learnt it from the hooks. */
export type ConnectVerdict =
  | { accepted: true; authenticationMethod?: string; authenticationData?: Uint8Array }
  | { accepted: false; reasonCode: number; reasonString?: string };

/** What the authorization hooks decided for a PUBLISH (boolean) or each filter of a SUBSCRIBE. */
export type Decision = boolean | SubscribeDecision[];

const NEVER = 0xffffffff;

/**
 * The protocol state of one network connection: CONNECT, then the packets of the session
 * it is attached to. Performs no I/O beyond the {@linkcode Link} and never reads the clock:
 * every input carries `now`.
 */
export class ClientConnection implements Outlet {
  version: ProtocolVersion = 4;
  maximumPacketSize: number = MAX_PACKET_SIZE;
  receiveMaximum = 65535;
  /** Keep-alive in force, in ms (0: off); the runner closes after 1.5× without a packet. */
  keepAliveMs = 0;
  state: "new" | "authenticating" | "connected" | "closed" = "new";
  session?: Session;
  info: ClientInfo;
  #core: BrokerCore;
  #link: Link;
  #aliases = new Map<number, string>();
  /** Topic aliases toward the client, when it allows them (MQTT 5 Topic Alias Maximum). */
  #outgoingAliases?: Map<string, number>;
  #outgoingAliasMaximum = 0;
  #will?: Message;
  #willOnClose = true;
  #willDelay = 0;
  #connectExpiry = 0;

  constructor(core: BrokerCore, link: Link, info: ClientInfo) {
    this.#core = core;
    this.#link = link;
    this.info = info;
  }

  get backlog(): number {
    return this.#link.backlog;
  }

  write(bytes: Uint8Array): void {
    this.#link.write(bytes);
  }

  writePublish(packet: PublishPacket): boolean {
    let sent = packet;
    let assigned: number | undefined;
    const aliases = this.#outgoingAliases;
    if (aliases) {
      // §3.3.2.3.4: a topic alias the client allowed replaces the topic after its first use.
      const known = aliases.get(packet.topic);
      if (known !== undefined) {
        sent = { ...packet, topic: "", properties: { ...packet.properties, topicAlias: known } };
      } else if (aliases.size < this.#outgoingAliasMaximum) {
        assigned = aliases.size + 1;
        sent = { ...packet, properties: { ...packet.properties, topicAlias: assigned } };
      }
    }
    const bytes = encode(sent, { version: this.version });
    // [MQTT-3.1.2-24] nothing larger than the client's Maximum Packet Size.
    if (bytes.length > this.maximumPacketSize) return false;
    if (assigned !== undefined) aliases!.set(packet.topic, assigned);
    this.#link.write(bytes);
    return true;
  }

  #send(packet: Packet): void {
    this.#link.write(encode(packet, { version: this.version }));
  }

  /** Answers CONNECT once authentication has decided. */
  connect(packet: ConnectPacket, verdict: ConnectVerdict, now: number): void {
    if (this.state === "connected" || this.state === "closed") {
      return this.fail(0x82, "CONNECT sent twice", now); // [MQTT-3.1.0-2]
    }
    const v5 = this.version === 5;
    const properties = packet.properties ?? {};
    let clientId = packet.clientId;
    let assigned: string | undefined;
    if (clientId === "") {
      // [MQTT-3.1.3-8] MQTT 3.1.1 assigns an id only to a clean session.
      if (!v5 && !packet.cleanStart) return this.#refuse(0x85, undefined, now);
      clientId = assigned = `tern-${crypto.randomUUID()}`;
    }
    this.info = {
      ...this.info,
      clientId,
      username: packet.username,
      protocolVersion: this.version,
    };
    if (!verdict.accepted) return this.#refuse(verdict.reasonCode, verdict.reasonString, now);
    const core = this.#core;
    const limits = core.limits;
    if (!core.sessions.has(clientId) && core.sessions.size >= limits.maxSessions) {
      return this.#refuse(0x97, "Too many sessions", now);
    }
    this.receiveMaximum = properties.receiveMaximum ?? 65535;
    this.maximumPacketSize = properties.maximumPacketSize ?? MAX_PACKET_SIZE;
    this.#outgoingAliasMaximum = Math.min(
      properties.topicAliasMaximum ?? 0,
      limits.topicAliasMaximum,
    );
    if (v5 && this.#outgoingAliasMaximum > 0) this.#outgoingAliases = new Map();
    this.#connectExpiry = v5
      ? properties.sessionExpiryInterval ?? 0
      : packet.cleanStart
      ? 0
      : NEVER;
    const expiry = Math.min(this.#connectExpiry, limits.maxSessionExpiryInterval);
    let keepAlive = packet.keepAlive;
    let serverKeepAlive: number | undefined;
    if (v5 && limits.maxKeepAlive > 0 && (keepAlive === 0 || keepAlive > limits.maxKeepAlive)) {
      keepAlive = serverKeepAlive = limits.maxKeepAlive;
    }
    this.keepAliveMs = keepAlive * 1000;
    this.#will = packet.will && own(messageFrom(packet.will, now, clientId));
    this.#willDelay = packet.will?.properties?.willDelayInterval ?? 0;
    const { session, present } = core.takeSession(clientId, packet.cleanStart, now);
    session.expiryInterval = expiry;
    session.outlet = this;
    this.session = session;
    this.state = "connected";
    const connack: ConnackProperties = {};
    if (v5) {
      connack.receiveMaximum = limits.receiveMaximum;
      connack.maximumPacketSize = limits.maximumPacketSize;
      connack.topicAliasMaximum = limits.topicAliasMaximum;
      if (assigned) connack.assignedClientIdentifier = assigned;
      if (expiry !== this.#connectExpiry) connack.sessionExpiryInterval = expiry;
      if (serverKeepAlive !== undefined) connack.serverKeepAlive = serverKeepAlive;
      if (verdict.authenticationMethod) {
        connack.authenticationMethod = verdict.authenticationMethod;
        connack.authenticationData = verdict.authenticationData;
      }
    }
    this.#send({ type: "connack", sessionPresent: present, reasonCode: 0, properties: connack });
    core.emit("connect", { client: this.info, sessionPresent: present });
    session.resume(now);
  }

  #refuse(reasonCode: number, reasonString: string | undefined, now: number): void {
    this.#send({
      type: "connack",
      sessionPresent: false,
      reasonCode: connectReturnCode(reasonCode, this.version),
      properties: reasonString ? { reasonString } : undefined,
    });
    this.#end(reasonCode, reasonString ?? "CONNECT refused", now);
    this.#link.close();
  }

  /**
   * The topic of a PUBLISH, resolving and recording its topic alias [MQTT-3.3.2-12].
   * Returns the reason code of a violation instead, or the topic.
   */
  resolveTopic(packet: PublishPacket): string | number {
    const alias = packet.properties?.topicAlias;
    if (alias === undefined || this.version !== 5) return packet.topic;
    if (alias === 0 || alias > this.#core.limits.topicAliasMaximum) return 0x94;
    if (packet.topic !== "") {
      this.#aliases.set(alias, packet.topic);
      return packet.topic;
    }
    const topic = this.#aliases.get(alias);
    if (topic === undefined) return 0x82;
    packet.topic = topic;
    return topic;
  }

  /** Handles a packet after CONNECT; `decision` is what the authorization hooks said. */
  receive(packet: Packet, now: number, decision?: Decision): void {
    if (this.state !== "connected") {
      // [MQTT-3.1.0-1] nothing but CONNECT (and AUTH) comes first.
      if (this.state !== "closed") this.fail(0x82, `${packet.type} before CONNECT`, now);
      return;
    }
    const session = this.session!;
    switch (packet.type) {
      case "publish":
        return this.#publish(packet, (decision as boolean | undefined) ?? true, now);
      case "puback":
      case "pubcomp":
        session.acknowledge(packet.type, packet.packetId, packet.reasonCode ?? 0, now);
        return;
      case "pubrec": {
        const known = session.acknowledge("pubrec", packet.packetId, packet.reasonCode ?? 0, now);
        if ((packet.reasonCode ?? 0) >= 0x80) return;
        // A PUBREC for an id not in flight still gets a PUBREL, with 0x92 Packet Identifier not found.
        this.#send({ type: "pubrel", packetId: packet.packetId, reasonCode: known ? 0 : 0x92 });
        return;
      }
      case "pubrel": {
        const known = session.unreleased.delete(packet.packetId);
        this.#send({ type: "pubcomp", packetId: packet.packetId, reasonCode: known ? 0 : 0x92 });
        return;
      }
      case "subscribe":
        return this.#subscribe(packet, decision as SubscribeDecision[] | undefined, now);
      case "unsubscribe":
        return this.#unsubscribe(packet);
      case "pingreq":
        return this.#send({ type: "pingresp" });
      case "disconnect":
        return this.#disconnect(packet, now);
      default:
        return this.fail(0x82, `A client must not send ${packet.type.toUpperCase()}`, now);
    }
  }

  #publish(packet: PublishPacket, allowed: boolean, now: number): void {
    const topic = this.resolveTopic(packet);
    if (typeof topic === "number") {
      return this.fail(
        topic,
        topic === 0x94 ? "Topic alias out of range" : "Unknown topic alias",
        now,
      );
    }
    if (topic === "") return this.fail(0x82, "PUBLISH without a topic", now);
    const limits = this.#core.limits;
    if (topic.length > limits.maxTopicLength || levels(topic) > limits.maxTopicLevels) {
      return this.fail(0x90, "Topic name longer than this broker allows", now);
    }
    if (packet.properties?.subscriptionIdentifiers) {
      return this.fail(0x82, "A client must not send Subscription Identifiers", now); // [MQTT-3.3.4-6]
    }
    const session = this.session!;
    const packetId = packet.packetId!;
    if (packet.qos === 2) {
      // [MQTT-4.3.3-9] a resent QoS 2 PUBLISH is not delivered twice before its PUBREL.
      if (session.unreleased.has(packetId)) return this.#send({ type: "pubrec", packetId });
      if (session.unreleased.size >= limits.receiveMaximum) {
        return this.fail(0x93, "Receive Maximum exceeded", now); // [MQTT-3.3.4-9]
      }
    }
    let reasonCode = 0x87;
    if (allowed) {
      const subscribers = this.#core.publish(
        messageFrom(packet, now, session.clientId),
        now,
        this.info,
      );
      reasonCode = subscribers === 0 ? 0x10 : 0;
    } else if (this.version !== 5) reasonCode = 0;
    if (packet.qos === 1) this.#send({ type: "puback", packetId, reasonCode });
    else if (packet.qos === 2) {
      if (reasonCode < 0x80) session.unreleased.add(packetId);
      this.#send({ type: "pubrec", packetId, reasonCode });
    }
  }

  #subscribe(
    packet: SubscribePacket,
    decisions: SubscribeDecision[] | undefined,
    now: number,
  ): void {
    const session = this.session!;
    const identifier = packet.properties?.subscriptionIdentifier;
    const reasonCodes: number[] = [];
    const retained: Delivery[] = [];
    for (let i = 0; i < packet.subscriptions.length; i++) {
      const request = packet.subscriptions[i];
      const filter = request.topicFilter;
      let shareName: string | undefined;
      let topicFilter = filter;
      try {
        validateTopicFilter(filter);
        const shared = parseSharedSubscription(filter);
        if (shared) ({ shareName, topicFilter } = shared);
      } catch {
        reasonCodes.push(this.#failure(0x8f));
        continue;
      }
      if (shareName !== undefined && request.noLocal) {
        return this.fail(0x82, "No Local on a shared subscription", now); // [MQTT-3.8.3-4]
      }
      const limits = this.#core.limits;
      const existing = session.subscriptions.get(filter);
      if (filter.length > limits.maxTopicLength || levels(filter) > limits.maxTopicLevels) {
        reasonCodes.push(this.#failure(0x8f));
        continue;
      }
      if (!existing && session.subscriptions.size >= limits.maxSubscriptions) {
        reasonCodes.push(this.#failure(0x97));
        continue;
      }
      const decision = decisions?.[i] ?? true;
      if (decision === false || typeof decision === "object") {
        reasonCodes.push(this.#failure(decision === false ? 0x87 : decision.reasonCode));
        continue;
      }
      const qos = Math.min(request.qos, decision === true ? 2 : decision) as QoS;
      const sub: Sub = {
        session,
        filter,
        shareName,
        topicFilter,
        qos,
        noLocal: request.noLocal ?? false,
        retainAsPublished: request.retainAsPublished ?? false,
        retainHandling: request.retainHandling ?? 0,
        identifier,
      };
      // [MQTT-3.8.4-3] a subscription to the same filter replaces the old one.
      if (existing) this.#core.router.remove(existing);
      this.#core.router.add(sub);
      session.subscriptions.set(filter, sub);
      reasonCodes.push(qos);
      // [MQTT-3.3.1-9..11] retained messages, by Retain Handling; never to shared ones.
      if (
        shareName === undefined &&
        (sub.retainHandling === 0 || (sub.retainHandling === 1 && !existing))
      ) {
        retained.push(...this.#core.router.retainedFor(sub, now));
      }
    }
    this.#send({ type: "suback", packetId: packet.packetId, reasonCodes });
    for (const delivery of retained) session.deliver(delivery, now);
  }

  #failure(reasonCode: number): number {
    return this.version === 5 ? reasonCode : 0x80;
  }

  #unsubscribe(packet: UnsubscribePacket): void {
    const session = this.session!;
    const reasonCodes = packet.topicFilters.map((filter) => {
      const sub = session.subscriptions.get(filter);
      if (!sub) return 0x11;
      this.#core.router.remove(sub);
      session.subscriptions.delete(filter);
      return 0;
    });
    this.#send({ type: "unsuback", packetId: packet.packetId, reasonCodes });
  }

  #disconnect(packet: Packet & { type: "disconnect" }, now: number): void {
    const interval = packet.properties?.sessionExpiryInterval;
    if (interval !== undefined) {
      // [MQTT-3.14.2-2] a session that was to end with the connection cannot be extended.
      if (this.#connectExpiry === 0 && interval !== 0) {
        return this.fail(0x82, "Session Expiry Interval set on DISCONNECT after 0 on CONNECT", now);
      }
      this.session!.expiryInterval = Math.min(interval, this.#core.limits.maxSessionExpiryInterval);
    }
    const reasonCode = packet.reasonCode ?? 0;
    // [MQTT-3.14.4-3] a normal DISCONNECT discards the will; 0x04 asks for it.
    this.#willOnClose = reasonCode === 0x04;
    this.#end(reasonCode, packet.properties?.reasonString ?? "client disconnected", now);
    this.#link.close();
  }

  /** Closes the connection for a protocol violation or a server decision, with DISCONNECT on MQTT 5. */
  fail(reasonCode: number, reasonString: string, now: number): void {
    if (this.state === "closed") return;
    if (this.state === "connected" && this.version === 5) {
      this.#send({ type: "disconnect", reasonCode, properties: { reasonString } });
    }
    this.#end(reasonCode, reasonString, now);
    this.#link.close();
  }

  /** The network connection ended (or the runner gave up on it). */
  closed(now: number): void {
    this.#end(0x80, "connection lost", now);
  }

  #end(reasonCode: number, reason: string, now: number): void {
    if (this.state === "closed") return;
    const connected = this.state === "connected";
    this.state = "closed";
    this.#core.connections.delete(this);
    if (!connected) return;
    const session = this.session!;
    if (session.outlet === this) {
      session.outlet = undefined;
      this.#core.detach(session, this.#willOnClose ? this.#will : undefined, this.#willDelay, now);
    }
    this.#core.emit("disconnect", { client: this.info, reasonCode, reason });
  }
}

function levels(topic: string): number {
  let count = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 0x2f) count++;
  return count;
}
