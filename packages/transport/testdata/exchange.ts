/**
 * A fixed MQTT 3.1.1 exchange, built by hand so the transport tests depend on no codec:
 * CONNECT → CONNACK → PUBLISH (QoS 1, packet id 1) → PUBACK.
 */
import type { Connection } from "../types.ts";

const encoder = new TextEncoder();

function utf8String(text: string): number[] {
  const bytes = encoder.encode(text);
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

function packet(firstByte: number, body: number[]): Uint8Array {
  // Every packet here is shorter than 128 bytes, so the remaining length is one byte.
  if (body.length > 127) throw new RangeError("test packet too long");
  return new Uint8Array([firstByte, body.length, ...body]);
}

/** CONNECT, MQTT 3.1.1, clean session, keep-alive 60 s. */
export function connectPacket(clientId: string): Uint8Array {
  return packet(0x10, [...utf8String("MQTT"), 4, 0x02, 0, 60, ...utf8String(clientId)]);
}

/** PUBLISH at QoS 1 with packet id 1. */
export function publishPacket(topic: string, payload: string): Uint8Array {
  return packet(0x32, [...utf8String(topic), 0, 1, ...encoder.encode(payload)]);
}

/** CONNACK: session not present, accepted. */
export const CONNACK = new Uint8Array([0x20, 0x02, 0x00, 0x00]);
/** PUBACK for packet id 1. */
export const PUBACK = new Uint8Array([0x40, 0x02, 0x00, 0x01]);

/** Reads exactly `count` bytes, through `read(into)` when asked and offered, else `readable`. */
export async function readExactly(
  reader: { read(into: Uint8Array): Promise<number | null> },
  count: number,
): Promise<Uint8Array> {
  const result = new Uint8Array(count);
  let filled = 0;
  while (filled < count) {
    const n = await reader.read(result.subarray(filled));
    if (n === null) throw new Error(`Stream ended after ${filled} of ${count} bytes`);
    filled += n;
  }
  return result;
}

/** A `read(into)` over a connection's `readable`, keeping bytes left over between calls. */
export function streamReader(connection: Connection) {
  const reader = connection.readable.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  return {
    async read(into: Uint8Array): Promise<number | null> {
      if (pending.length === 0) {
        const { value, done } = await reader.read();
        if (done) return null;
        pending = value;
      }
      const n = Math.min(into.length, pending.length);
      into.set(pending.subarray(0, n));
      pending = pending.subarray(n);
      return n;
    },
    release: () => reader.releaseLock(),
  };
}

/** What one side of the exchange wrote and read, for comparison across adapters. */
export interface Exchange {
  written: Uint8Array[];
  read: Uint8Array[];
}

/**
 * Runs CONNECT → CONNACK → PUBLISH → PUBACK on an open connection and returns the bytes
 * in each direction. `via` picks the zero-copy `read(into)` path or the `readable` stream.
 */
export async function runExchange(
  connection: Connection,
  options: { clientId: string; via: "read" | "readable" },
): Promise<Exchange> {
  const reader = options.via === "read" && connection.read
    ? { read: connection.read.bind(connection), release: () => {} }
    : streamReader(connection);
  const connect = connectPacket(options.clientId);
  const publish = publishPacket("tern/transport", "hello");
  try {
    await connection.write(connect);
    const connack = await readExactly(reader, CONNACK.length);
    await connection.write(publish);
    const puback = await readExactly(reader, PUBACK.length);
    return { written: [connect, publish], read: [connack, puback] };
  } finally {
    reader.release();
  }
}
