/**
 * Hostile input against the embedded broker: valid packets in any order, mutated packets
 * and random bytes, over the in-memory transport and raw TCP. No crash, no hang, state
 * bounded, and a well-behaved client keeps being served throughout.
 */
import assert from "node:assert/strict";
import { encode, type Packet, type ProtocolVersion } from "@tern/codec";
import { Broker } from "@tern/broker";
import { MqttClient } from "@tern/agent";
import { Random } from "../packages/codec/testdata/random.ts";
import { randomPacket } from "../packages/codec/testdata/random_packets.ts";
import { samplePackets } from "../packages/codec/testdata/sample_packets.ts";

const CONNECTIONS = 1500;
const TCP_CONNECTIONS = 150;

function corpus(random: Random, version: ProtocolVersion): Uint8Array[] {
  const packets: Packet[] = [...samplePackets(version)];
  for (let i = 0; i < 300; i++) packets.push(randomPacket(random, version));
  return packets.map((packet) => encode(packet, { version }));
}

/** A valid CONNECT, then valid, mutated or random packets: what one hostile client sends. */
function hostileBytes(random: Random, corpora: Record<ProtocolVersion, Uint8Array[]>): Uint8Array {
  const version: ProtocolVersion = random.chance(0.5) ? 4 : 5;
  const parts: number[] = [];
  if (random.chance(0.8)) {
    const connect = encode({
      type: "connect",
      clientId: random.chance(0.5) ? "" : `hostile-${random.int(0, 20)}`,
      cleanStart: random.chance(0.7),
      keepAlive: random.int(0, 5),
      properties: version === 5 && random.chance(0.3) ? { sessionExpiryInterval: 5 } : undefined,
    }, { version });
    parts.push(...connect);
  }
  const count = random.int(1, 12);
  for (let i = 0; i < count; i++) {
    const bytes = [...random.pick(corpora[version])];
    if (random.chance(0.5)) {
      for (let m = random.int(1, 4); m > 0; m--) {
        const at = random.int(0, Math.max(0, bytes.length - 1));
        if (random.chance(0.5)) bytes[at] = random.int(0, 255);
        else bytes.splice(at, random.int(0, 3), ...random.bytes(random.int(0, 3)));
      }
    }
    if (random.chance(0.05)) bytes.push(...random.bytes(random.int(1, 300)));
    parts.push(...bytes);
  }
  return new Uint8Array(parts);
}

async function roundTrip(publisher: MqttClient, messages: AsyncIterator<unknown>, i: number) {
  await publisher.publish("healthy/check", `round ${i}`, { qos: 1 });
  const { done } = await messages.next();
  assert.equal(done, false);
}

Deno.test("hostile byte streams over memory and TCP leave the broker serving its other clients", async () => {
  await using broker = new Broker({
    limits: { maximumPacketSize: 16 * 1024, maxSessions: 200, connectTimeoutMs: 500 },
  });
  const listener = await broker.listen({ port: 0 });
  const random = new Random(0xb20c);
  const corpora = { 4: corpus(random, 4), 5: corpus(random, 5) } as Record<
    ProtocolVersion,
    Uint8Array[]
  >;
  const healthy = new MqttClient({
    transport: broker.connect(),
    clientId: "healthy",
    reconnect: false,
  });
  await healthy.start();
  const messages = healthy.subscribe("healthy/#", { qos: 1 });
  await messages;
  const heapBefore = Deno.memoryUsage().heapUsed;
  const refused = new Set<number>();
  broker.on("disconnect", ({ reasonCode }) => refused.add(reasonCode));

  for (let i = 0; i < CONNECTIONS; i++) {
    const connection = await broker.connect().open();
    await connection.write(hostileBytes(random, corpora)).catch(() => {});
    // Drain what the broker answers, then hang up: the broker must notice either way.
    connection.readable.pipeTo(new WritableStream()).catch(() => {});
    await connection.close();
    if (i % 100 === 0) await roundTrip(healthy, messages, i);
  }
  for (let i = 0; i < TCP_CONNECTIONS; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
    const bytes = random.chance(0.3)
      ? random.bytes(random.int(1, 2000))
      : hostileBytes(random, corpora);
    await conn.write(bytes).catch(() => 0);
    conn.close();
    if (i % 25 === 0) await roundTrip(healthy, messages, i);
  }
  // Every hostile connection ends: by the broker's verdict or by the hang-up.
  while (broker.stats().connections > 1) await new Promise((resolve) => setTimeout(resolve, 20));
  await roundTrip(healthy, messages, -1);
  const stats = broker.stats();
  assert.equal(stats.accepted, CONNECTIONS + TCP_CONNECTIONS + 1);
  // The streams did reach the protocol checks: malformed packets and protocol errors.
  assert.ok(refused.has(0x81) || refused.has(0x80), `reasons seen: ${[...refused]}`);
  assert.ok(refused.has(0x82), `reasons seen: ${[...refused]}`);
  assert.ok(stats.sessions <= 200, `${stats.sessions} sessions`);
  const grown = Deno.memoryUsage().heapUsed - heapBefore;
  assert.ok(grown < 64 * 1024 * 1024, `heap grew by ${grown} bytes`);
  await messages.return();
  await healthy.stop();
});
