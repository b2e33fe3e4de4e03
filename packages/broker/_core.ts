import type { ProtocolVersion } from "@tern/codec";
import type { BrokerEvents, ClientInfo } from "./hooks.ts";
import type { BrokerLimits } from "./limits.ts";
import { ClientConnection, type Link } from "./_client.ts";
import type { Message } from "./_message.ts";
import { Router } from "./_router.ts";
import { Session } from "./_session.ts";

/** Options of {@linkcode BrokerCore}. */
export interface CoreOptions {
  limits: BrokerLimits;
  /** Receives every event; the broker fans them out to listeners. */
  emit?<K extends keyof BrokerEvents>(type: K, event: BrokerEvents[K]): void;
  /** Told when the next deadline may have moved earlier (a will delay or a session expiry). */
  wake?(): void;
}

/**
 * The broker's protocol core: sessions, the subscription router, retained messages, wills
 * and session expiry. Sans-IO: connections come in as {@linkcode Link}s, time as `now`
 * arguments, and the runner asks {@linkcode BrokerCore.nextDeadline} when to call
 * {@linkcode BrokerCore.tick}.
 */
export class BrokerCore {
  readonly limits: BrokerLimits;
  readonly sessions: Map<string, Session> = new Map();
  readonly connections: Set<ClientConnection> = new Set();
  readonly router: Router;
  /** Disconnected sessions with a pending will or an expiry. */
  readonly #waiting = new Set<Session>();
  #options: CoreOptions;
  /** Messages routed so far. */
  published = 0;

  constructor(options: CoreOptions) {
    this.limits = options.limits;
    this.router = new Router(options.limits.maxRetained);
    this.#options = options;
  }

  /** A new network connection; the runner feeds it packets. */
  open(link: Link, remoteAddress: string, peerCertificate?: Uint8Array): ClientConnection {
    const info: ClientInfo = { clientId: "", remoteAddress, protocolVersion: 4 as ProtocolVersion };
    if (peerCertificate) info.peerCertificate = peerCertificate;
    const connection = new ClientConnection(this, link, info);
    this.connections.add(connection);
    return connection;
  }

  emit<K extends keyof BrokerEvents>(type: K, event: BrokerEvents[K]): void {
    this.#options.emit?.(type, event);
  }

  /**
   * The session for a CONNECT: an existing one taken over from its connection
   * [MQTT-3.1.4-3] and resumed, or a new one (Clean Start ends the old [MQTT-3.1.2-4]).
   */
  takeSession(
    clientId: string,
    cleanStart: boolean,
    now: number,
  ): { session: Session; present: boolean } {
    const existing = this.sessions.get(clientId);
    if (existing?.outlet instanceof ClientConnection) {
      existing.outlet.fail(0x8e, "Session taken over", now);
    }
    if (existing && !cleanStart) {
      // [MQTT-3.1.3-9] a session resumed before the will delay ran out cancels the will.
      existing.will = undefined;
      existing.expiresAt = undefined;
      this.#waiting.delete(existing);
      return { session: existing, present: true };
    }
    if (existing) this.endSession(existing, now);
    const session = new Session(clientId, this.limits);
    this.sessions.set(clientId, session);
    return { session, present: false };
  }

  /** A session lost its connection: publish or schedule the will, keep or end the session. */
  detach(session: Session, will: Message | undefined, willDelay: number, now: number): void {
    const interval = session.expiryInterval;
    if (will) {
      if (willDelay === 0 || interval === 0) this.#publishWill(will, now);
      else session.will = { message: will, at: now + willDelay * 1000 };
    }
    if (interval === 0) return this.endSession(session, now);
    if (interval !== 0xffffffff) session.expiresAt = now + interval * 1000;
    this.watch(session);
  }

  /** Keeps a disconnected session's will delay and expiry on the clock. */
  watch(session: Session): void {
    if (session.expiresAt !== undefined || session.will) {
      this.#waiting.add(session);
      this.#options.wake?.();
    }
  }

  /** Ends a session: its pending will goes out [MQTT-3.1.3-9], its subscriptions go away. */
  endSession(session: Session, now: number): void {
    if (session.will) {
      const will = session.will.message;
      session.will = undefined;
      this.#publishWill(will, now);
    }
    for (const sub of session.subscriptions.values()) this.router.remove(sub);
    session.subscriptions.clear();
    this.#waiting.delete(session);
    if (this.sessions.get(session.clientId) === session) this.sessions.delete(session.clientId);
  }

  /** Retains and routes a message; returns how many sessions it went to. */
  publish(message: Message, now: number, client: ClientInfo | undefined): number {
    if (message.retain) this.router.retain(message);
    const subscribers = this.router.route(message, now);
    this.published++;
    this.emit("message", {
      client,
      topic: message.topic,
      payload: message.payload,
      qos: message.qos,
      retain: message.retain,
      subscribers,
    });
    return subscribers;
  }

  // A will's Message Expiry Interval counts from when it is published, not from CONNECT.
  #publishWill(will: Message, now: number): void {
    const interval = will.properties?.messageExpiryInterval;
    if (interval !== undefined) will.expiresAt = now + interval * 1000;
    this.publish(will, now, undefined);
  }

  /** The earliest pending will or session expiry, if any. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const session of this.#waiting) {
      for (const at of [session.will?.at, session.expiresAt]) {
        if (at !== undefined && (next === undefined || at < next)) next = at;
      }
    }
    return next;
  }

  /** Publishes the wills and ends the sessions whose time has come. */
  tick(now: number): void {
    for (const session of this.#waiting) {
      if (session.will && now >= session.will.at) {
        const will = session.will.message;
        session.will = undefined;
        this.#publishWill(will, now);
      }
      if (session.expiresAt !== undefined && now >= session.expiresAt) {
        this.endSession(session, now);
      } else if (!session.will && session.expiresAt === undefined) this.#waiting.delete(session);
    }
  }
}
