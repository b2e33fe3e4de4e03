/**
 * The IoT Core limits, given to the real `MqttClient`, refuse bad operations before any
 * byte is sent and split long SUBSCRIBE lists (a broker hook records every packet); given
 * to the sans-IO `Session`, they pace publishes on a numeric clock.
 */
import assert from "node:assert/strict";
import { BrokerLimitError, MqttClient, Session, type Transmit } from "@tern/agent";
import { Decoder, encode, type Packet } from "@tern/codec";
import { iotCoreLimits } from "@tern/aws";

/** A TCP broker hook: accepts CONNECT, acks SUBSCRIBE/PUBLISH, records every packet. */
function startHook() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const packets: Packet[] = [];
  const conns = new Set<Deno.Conn>();
  const serving = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      (async () => {
        const decoder = new Decoder({ version: 5 });
        const reply = (packet: Packet) => conn.write(encode(packet, { version: 5 }));
        try {
          for await (const chunk of conn.readable) {
            for (const packet of decoder.push(chunk)) {
              packets.push(packet);
              if (packet.type === "connect") {
                await reply({ type: "connack", sessionPresent: false, reasonCode: 0 });
              } else if (packet.type === "subscribe") {
                await reply({
                  type: "suback",
                  packetId: packet.packetId,
                  reasonCodes: packet.subscriptions.map((s) => s.qos),
                });
              } else if (packet.type === "publish" && packet.qos === 1) {
                await reply({ type: "puback", packetId: packet.packetId! });
              }
            }
          }
        } catch {
          // The client closed the connection.
        } finally {
          conns.delete(conn);
        }
      })();
    }
  })();
  return {
    url: `mqtt://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    packets,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) conn.close();
      await serving.catch(() => {});
    },
  };
}

function isLimit(limit: string) {
  return (error: unknown) => error instanceof BrokerLimitError && error.limit === limit;
}

Deno.test("with iotCoreLimits the client refuses, before sending, what IoT Core would refuse", async () => {
  await using hook = startHook();
  const client = new MqttClient({
    url: hook.url,
    clientId: "device-1",
    limits: iotCoreLimits,
    reconnect: false,
  });
  try {
    await client.start();
    const sentBefore = hook.packets.length;
    // A regression would send these; the timeout turns a wait for an ack into a failure.
    const timeoutMs = 10_000;
    await assert.rejects(client.publish("a/b", "x", { qos: 2, timeoutMs }), isLimit("maximumQoS"));
    await assert.rejects(
      client.publish("1/2/3/4/5/6/7/8/9", "x", { qos: 1, timeoutMs }),
      isLimit("maxTopicSlashes"),
    );
    await assert.rejects(
      client.publish("t".repeat(257), "x", { timeoutMs }),
      isLimit("maxTopicBytes"),
    );
    await assert.rejects(
      client.publish("a", new Uint8Array(128 * 1024 + 1), { qos: 1, timeoutMs }),
      isLimit("maxPayloadBytes"),
    );
    await assert.rejects(client.sendSubscribe("a/#", { qos: 2, timeoutMs }), isLimit("maximumQoS"));
    assert.equal(hook.packets.length, sentBefore, "nothing was sent for refused operations");
    // Within the limits, the same operations go through.
    await client.publish("$aws/rules/r/1/2/3/4/5/6/7/8", "x", { qos: 1 });
  } finally {
    await client.stop();
  }
});

Deno.test("with iotCoreLimits a SUBSCRIBE of 17 filters leaves as 8 + 8 + 1, with one result", async () => {
  await using hook = startHook();
  const client = new MqttClient({
    url: hook.url,
    clientId: "device-1",
    limits: iotCoreLimits,
    reconnect: false,
  });
  try {
    await client.start();
    const filters = Array.from({ length: 17 }, (_, i) => `sensors/${i}/#`);
    const result = await client.sendSubscribe(filters, { qos: 1 });
    assert.deepEqual(result.reasonCodes, filters.map(() => 1));
    const subscribes = hook.packets.filter((p) => p.type === "subscribe");
    assert.deepEqual(subscribes.map((p) => p.type === "subscribe" && p.subscriptions.length), [
      8,
      8,
      1,
    ]);
    assert.deepEqual(
      subscribes.flatMap((p) =>
        p.type === "subscribe" ? p.subscriptions.map((s) => s.topicFilter) : []
      ),
      filters,
    );
  } finally {
    await client.stop();
  }
});

Deno.test("with iotCoreLimits a client id over 128 bytes fails start() without a CONNECT", async () => {
  await using hook = startHook();
  assert.throws(
    () =>
      new MqttClient({
        url: hook.url,
        clientId: "c".repeat(129),
        limits: iotCoreLimits,
        reconnect: false,
      }),
    isLimit("maxClientIdBytes"),
  );
  assert.equal(hook.packets.length, 0);
});

/** A Session with the IoT Core limits, connected at time 0. */
function connectedSession(): Session {
  const session = new Session({
    clientId: "device-1",
    limits: iotCoreLimits,
    packetSize: (packet) => encode(packet, { version: 5 }).length,
  });
  session.handleConnectionOpened(0);
  while (session.pollTransmit(0));
  session.handlePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, 0);
  while (session.pollEvent());
  return session;
}

function drain(session: Session, now: number): Transmit[] {
  const out: Transmit[] = [];
  for (let t = session.pollTransmit(now); t; t = session.pollTransmit(now)) out.push(t);
  return out;
}

Deno.test("iotCoreLimits pace a Session to 100 publishes per second after a burst of 100", () => {
  const session = connectedSession();
  for (let i = 0; i < 103; i++) {
    session.publish({ topic: "t", payload: new Uint8Array(1), qos: 0 }, 0);
  }
  assert.equal(drain(session, 0).length, 100);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const deadline = session.pollTimeout()!;
    session.handleTimeout(deadline);
    assert.equal(drain(session, deadline).length, 1);
    times.push(deadline);
  }
  assert.deepEqual(times, [10, 20, 30]);
});

Deno.test("iotCoreLimits pace a Session to 512 KiB of PUBLISH packets per second", () => {
  const session = connectedSession();
  const message = { topic: "t", payload: new Uint8Array(128 * 1024), qos: 0 as const };
  const size = encode({ type: "publish", ...message, retain: false, dup: false }, { version: 5 })
    .length;
  for (let i = 0; i < 5; i++) session.publish(message, 0);
  // Three whole packets fit in the 512 KiB bucket (each is a little over 128 KiB).
  assert.equal(drain(session, 0).length, 3);
  const fourth = session.pollTimeout()!;
  assert.ok(Math.abs(fourth - (4 * size - 512 * 1024) * 1000 / (512 * 1024)) < 1e-6);
  assert.equal(drain(session, fourth - 1).length, 0);
  session.handleTimeout(fourth);
  assert.equal(drain(session, fourth).length, 1);
  const fifth = session.pollTimeout()!;
  assert.ok(Math.abs(fifth - fourth - size * 1000 / (512 * 1024)) < 1e-6);
});
