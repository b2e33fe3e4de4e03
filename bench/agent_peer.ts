/**
 * A minimal MQTT peer for client benchmarks, run as its own process so that its work is not
 * billed to the client under test. It accepts one connection at a time and, per `--mode`:
 *
 * - `stream`: after the client's SUBSCRIBE, writes `--count` pre-encoded PUBLISH packets
 *   (64-byte payloads, `--qos` 0 or 1) as fast as the socket takes them, and discards
 *   whatever the client sends back;
 * - `sink`: reads everything, answering each QoS 1 PUBLISH with PUBACK (one write per chunk).
 *   PUBLISH packets are only framed, not decoded, so that the peer is not the slower side.
 *
 * It prints `listening <port>` once ready and serves until killed. With `--log-acks` it
 * prints to stderr, twice a second, how many PUBACKs the current connection has sent back
 * (how the AWS CRT's QoS 1 stall was found: see RESULTS.md).
 *
 *   deno run -A bench/agent_peer.ts --mode stream --count 200000 --qos 0 --version 5
 */
import { parseArgs } from "node:util";
import { Decoder, PacketWriter } from "../packages/codec/mod.ts";
import type { Packet, ProtocolVersion } from "../packages/codec/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mode: { type: "string", default: "sink" },
    count: { type: "string", default: "100000" },
    qos: { type: "string", default: "0" },
    version: { type: "string", default: "5" },
    "log-acks": { type: "boolean", default: false },
  },
});
const version = Number(values.version) as ProtocolVersion;
const count = Number(values.count);
const qos = Number(values.qos) as 0 | 1;

function streamBytes(): Uint8Array {
  const writer = new PacketWriter({ version, bufferSize: count * 80 });
  const payload = new Uint8Array(64).fill(0x61);
  for (let i = 0; i < count; i++) {
    writer.write({
      type: "publish",
      topic: "bench/stream",
      payload,
      qos,
      retain: false,
      dup: false,
      packetId: qos ? 1 + (i % 65_535) : undefined,
    });
  }
  return writer.take();
}

const stream = values.mode === "stream" ? streamBytes() : undefined;
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`listening ${(listener.addr as Deno.NetAddr).port}`);

async function serve(conn: Deno.Conn): Promise<void> {
  const decoder = new Decoder({ version });
  let pubacks = 0;
  const started = performance.now();
  const acksLog = values["log-acks"]
    ? setInterval(() => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.error(`${seconds} s: ${pubacks} PUBACKs received`);
    }, 500)
    : undefined;
  let buffer = new Uint8Array(256 * 1024);
  // Bytes of an incomplete packet at the start of `buffer`.
  let held = 0;
  const answers = new PacketWriter({ version });
  // PUBACK / PUBREC for PUBLISH are framed here rather than decoded and encoded: the peer
  // must not be the slower side of a send benchmark (a client's CPU is what is measured).
  let acks = new Uint8Array(64 * 1024);
  let ackLength = 0;
  const ack = (type: number, high: number, low: number) => {
    if (ackLength + 4 > acks.length) {
      const next = new Uint8Array(acks.length * 2);
      next.set(acks.subarray(0, ackLength));
      acks = next;
    }
    acks[ackLength++] = type;
    acks[ackLength++] = 2;
    acks[ackLength++] = high;
    acks[ackLength++] = low;
  };
  // Everything to write after this read, in order.
  const pendingWrites: Uint8Array[] = [];
  const flushAcks = () => {
    if (ackLength === 0) return;
    pendingWrites.push(acks.slice(0, ackLength));
    ackLength = 0;
  };
  const send = (packet: Packet) => {
    flushAcks();
    answers.write(packet);
    pendingWrites.push(answers.take());
  };
  // One write at a time: the stream and the answers must not interleave mid-packet.
  let writing = Promise.resolve();
  const queueWrite = (bytes: Uint8Array) => writing = writing.then(() => write(conn, bytes));
  try {
    while (true) {
      if (held === buffer.length) {
        const next = new Uint8Array(buffer.length * 2);
        next.set(buffer);
        buffer = next;
      }
      const n = await conn.read(buffer.subarray(held));
      if (n === null) break;
      const length = held + n;
      let streamNow = false;
      let offset = 0;
      while (offset + 2 <= length) {
        // The fixed header: type and flags, then the remaining length (1 to 4 bytes).
        let remaining = 0;
        let multiplier = 1;
        let at = offset + 1;
        let complete = false;
        while (at < length && at < offset + 5) {
          const byte = buffer[at++];
          remaining += (byte & 0x7f) * multiplier;
          multiplier *= 128;
          if ((byte & 0x80) === 0) {
            complete = true;
            break;
          }
        }
        if (!complete || at + remaining > length) break;
        const first = buffer[offset];
        const type = first >> 4;
        if (type === 3) {
          const qos = (first >> 1) & 3;
          if (qos > 0) {
            const idAt = at + 2 + ((buffer[at] << 8) | buffer[at + 1]);
            ack(qos === 1 ? 0x40 : 0x50, buffer[idAt], buffer[idAt + 1]);
          }
        } else {
          for (const packet of decoder.push(buffer.subarray(offset, at + remaining))) {
            switch (packet.type) {
              case "connect":
                send({
                  type: "connack",
                  sessionPresent: false,
                  reasonCode: 0,
                  properties: version === 5 ? { topicAliasMaximum: 16 } : undefined,
                });
                break;
              case "subscribe":
                send({
                  type: "suback",
                  packetId: packet.packetId,
                  reasonCodes: packet.subscriptions.map(() => qos),
                });
                streamNow = stream !== undefined;
                break;
              case "pubrel":
                send({ type: "pubcomp", packetId: packet.packetId });
                break;
              case "puback":
                pubacks++;
                break;
              case "pingreq":
                send({ type: "pingresp" });
                break;
              case "disconnect":
                clearInterval(acksLog);
                conn.close();
                return;
            }
          }
        }
        offset = at + remaining;
      }
      buffer.copyWithin(0, offset, length);
      held = length - offset;
      flushAcks();
      // Not awaited: the client's PUBACKs must keep being read while the stream flows.
      for (const bytes of pendingWrites.splice(0)) void queueWrite(bytes).catch(() => {});
      if (streamNow) void queueWrite(stream!).catch(() => {});
    }
  } catch {
    // The client went away.
  }
  clearInterval(acksLog);
  if (values["log-acks"]) console.error(`connection closed: ${pubacks} PUBACKs received`);
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

async function write(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}

for await (const conn of listener) void serve(conn);
