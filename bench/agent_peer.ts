/**
 * A minimal MQTT peer for client benchmarks, run as its own process so that its work is not
 * billed to the client under test. It accepts one connection at a time and, per `--mode`:
 *
 * - `stream`: after the client's SUBSCRIBE, writes `--count` pre-encoded PUBLISH packets
 *   (64-byte payloads, `--qos` 0 or 1) as fast as the socket takes them, and discards
 *   whatever the client sends back;
 * - `sink`: reads everything, answering each QoS 1 PUBLISH with PUBACK (one write per chunk).
 *
 * It prints `listening <port>` once ready and serves until killed.
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
  const buffer = new Uint8Array(256 * 1024);
  const answers = new PacketWriter({ version });
  const send = (packet: Packet) => answers.write(packet);
  // One write at a time: the stream and the answers must not interleave mid-packet.
  let writing = Promise.resolve();
  const queueWrite = (bytes: Uint8Array) => writing = writing.then(() => write(conn, bytes));
  try {
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      let streamNow = false;
      for (const packet of decoder.push(buffer.subarray(0, n))) {
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
          case "publish":
            if (packet.qos === 1) send({ type: "puback", packetId: packet.packetId! });
            else if (packet.qos === 2) send({ type: "pubrec", packetId: packet.packetId! });
            break;
          case "pubrel":
            send({ type: "pubcomp", packetId: packet.packetId });
            break;
          case "pingreq":
            send({ type: "pingresp" });
            break;
          case "disconnect":
            conn.close();
            return;
        }
      }
      // Not awaited: the client's PUBACKs must keep being read while the stream flows.
      if (answers.length > 0) void queueWrite(answers.take()).catch(() => {});
      if (streamNow) void queueWrite(stream!).catch(() => {});
    }
  } catch {
    // The client went away.
  }
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
