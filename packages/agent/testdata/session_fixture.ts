/** Test helpers for driving a Session with plain values and a numeric clock. */
import type { ConnackProperties, Packet } from "@tern/codec";
import { Session } from "../session.ts";
import type { SessionEvent, SessionOptions, Transmit } from "../session_types.ts";

/** Every packet the session wants to write now. */
export function sent(session: Session, now = 0): Packet[] {
  return transmits(session, now).map((t) => t.packet);
}

/** Every transmit the session has now. */
export function transmits(session: Session, now = 0): Transmit[] {
  const out: Transmit[] = [];
  for (let t = session.pollTransmit(now); t; t = session.pollTransmit(now)) out.push(t);
  return out;
}

/** Every event the session has now. */
export function events(session: Session): SessionEvent[] {
  const out: SessionEvent[] = [];
  for (let e = session.pollEvent(); e; e = session.pollEvent()) out.push(e);
  return out;
}

/** A session that sent CONNECT and got a successful CONNACK at time 0, with queues drained. */
export function connected(
  options: SessionOptions = {},
  connack: { sessionPresent?: boolean; properties?: ConnackProperties } = {},
): Session {
  const session = new Session({ clientId: "c", ...options });
  openAndAccept(session, connack);
  return session;
}

/** Opens a connection on `session` and accepts it; drains transmits and events. */
export function openAndAccept(
  session: Session,
  connack: { sessionPresent?: boolean; properties?: ConnackProperties } = {},
  now = 0,
): void {
  session.handleConnectionOpened(now);
  sent(session, now);
  session.handlePacket({
    type: "connack",
    sessionPresent: connack.sessionPresent ?? false,
    reasonCode: 0,
    properties: connack.properties,
  }, now);
  events(session);
}

/** UTF-8 bytes. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
