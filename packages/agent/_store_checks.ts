/** Argument checks shared by the session stores, so both reject bad input with the same words. */
import type { OutboundEntry } from "./session_store.ts";

export function checkClientId(action: string, clientId: unknown): void {
  if (typeof clientId !== "string") {
    throw new TypeError(`Cannot ${action}: client id must be a string, got ${typeof clientId}`);
  }
}

export function checkPacketId(action: string, packetId: unknown): void {
  if (typeof packetId !== "number" || !Number.isInteger(packetId)) {
    throw new TypeError(`Cannot ${action}: packet id must be an integer, got ${String(packetId)}`);
  }
  if (packetId < 1 || packetId > 0xffff) {
    throw new RangeError(`Cannot ${action}: packet id must be 1 to 65535, got ${packetId}`);
  }
}

export function checkOutboundEntry(action: string, entry: OutboundEntry): void {
  if (typeof entry !== "object" || entry === null) {
    throw new TypeError(`Cannot ${action}: entry must be an object`);
  }
  checkPacketId(action, entry.packetId);
  if (entry.state !== "awaitingAck" && entry.state !== "released") {
    throw new TypeError(
      `Cannot ${action}: state must be "awaitingAck" or "released", got ${String(entry.state)}`,
    );
  }
  const packet = entry.packet;
  if (typeof packet !== "object" || packet === null || packet.type !== "publish") {
    throw new TypeError(`Cannot ${action}: packet must be a PUBLISH packet`);
  }
  if (packet.qos !== 1 && packet.qos !== 2) {
    throw new RangeError(
      `Cannot ${action}: only QoS 1 and 2 publishes are stored, got QoS ${packet.qos}`,
    );
  }
  if (packet.packetId !== entry.packetId) {
    throw new RangeError(
      `Cannot ${action}: entry packet id ${entry.packetId} differs from the packet's ${packet.packetId}`,
    );
  }
  if (entry.state === "released" && packet.qos !== 2) {
    throw new RangeError(`Cannot ${action}: only a QoS 2 publish can be released`);
  }
  if (!(packet.payload instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${action}: packet payload must be a Uint8Array`);
  }
}
