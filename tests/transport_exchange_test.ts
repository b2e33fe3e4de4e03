// Every adapter carries the same bytes: one CONNECT → CONNACK → PUBLISH → PUBACK exchange
// per adapter with one mosquitto, while a subscriber confirms each PUBLISH reached it whole.
import assert from "node:assert/strict";
import { Decoder, encode } from "@tern/codec";
import type { Connection } from "@tern/transport";
import { httpProxy } from "@tern/transport/http-proxy";
import { nodeHttpProxy, nodeTcp, nodeTls } from "@tern/transport/node";
import { tcp } from "@tern/transport/tcp";
import { tls } from "@tern/transport/tls";
import { websocket } from "@tern/transport/websocket";
import {
  CONNACK,
  connectPacket,
  PUBACK,
  publishPacket,
  readExactly,
  runExchange,
} from "../packages/transport/testdata/exchange.ts";
import { splitPackets } from "../packages/transport/testdata/frames.ts";
import { startTinyproxy } from "../packages/transport/testdata/tinyproxy.ts";
import { startBroker } from "./support/broker.ts";
import { generateCertificates } from "./support/certs.ts";

const TOPIC = "tern/transport";

/** SUBSCRIBE to TOPIC at QoS 0, packet id 1. */
const subscribePacket = new Uint8Array([
  0x82,
  2 + 2 + TOPIC.length + 1,
  0,
  1,
  0,
  TOPIC.length,
  ...new TextEncoder().encode(TOPIC),
  0,
]);

Deno.test("every adapter writes and reads the same bytes with mosquitto", async () => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs, websocket: true });
    await using proxy = await startTinyproxy({ credentials: { user: "tern", password: "pw" } });
    const caCerts = [certs.pem.caCert];
    const client = { cert: certs.pem.clientCert, key: certs.pem.clientKey };
    const adapters: [string, () => Promise<Connection>, "read" | "readable"][] = [
      ["tcp, read(into)", () => tcp({ hostname: "127.0.0.1", port: broker.port }).open(), "read"],
      ["tcp, readable", () => tcp({ hostname: "127.0.0.1", port: broker.port }).open(), "readable"],
      ["tls", () => tls({ hostname: "localhost", port: broker.tlsPort!, caCerts }).open(), "read"],
      [
        "mutual tls",
        () => tls({ hostname: "127.0.0.1", port: broker.mtlsPort!, caCerts, ...client }).open(),
        "readable",
      ],
      [
        "websocket",
        () => websocket({ url: `ws://127.0.0.1:${broker.wsPort}/mqtt` }).open(),
        "readable",
      ],
      [
        "http proxy, plain",
        () => httpProxy({ proxy: proxy.url, hostname: "127.0.0.1", port: broker.port }).open(),
        "read",
      ],
      [
        "http proxy, tls",
        () =>
          httpProxy({
            proxy: proxy.url,
            hostname: "localhost",
            port: broker.tlsPort!,
            tls: { caCerts },
          })
            .open(),
        "readable",
      ],
      ["node tcp", () => nodeTcp({ hostname: "127.0.0.1", port: broker.port }).open(), "readable"],
      [
        "node mutual tls",
        () => nodeTls({ hostname: "127.0.0.1", port: broker.mtlsPort!, caCerts, ...client }).open(),
        "readable",
      ],
      [
        "node http proxy, mutual tls",
        () =>
          nodeHttpProxy({
            proxy: proxy.url,
            hostname: "localhost",
            port: broker.mtlsPort!,
            tls: { caCerts, ...client },
          }).open(),
        "readable",
      ],
    ];

    const subscriber = await tcp({ hostname: "127.0.0.1", port: broker.port }).open();
    const subscriberReader = { read: subscriber.read!.bind(subscriber) };
    try {
      await subscriber.write(connectPacket("tern-subscriber"));
      assert.deepEqual(await readExactly(subscriberReader, 4), CONNACK);
      await subscriber.write(subscribePacket);
      assert.deepEqual(
        await readExactly(subscriberReader, 5),
        new Uint8Array([0x90, 3, 0, 1, 0]),
      );

      const expected = {
        written: [connectPacket("tern-exchange"), publishPacket(TOPIC, "hello")],
        read: [CONNACK, PUBACK],
      };
      // The hand-built bytes are what the codec makes and reads, so the agent sees the same.
      assert.deepEqual(
        expected.written[1],
        encode({
          type: "publish",
          topic: TOPIC,
          payload: new TextEncoder().encode("hello"),
          qos: 1,
          packetId: 1,
          retain: false,
          dup: false,
        }, { version: 4 }),
      );
      const decoded = new Decoder({ version: 4 }).push(new Uint8Array([...CONNACK, ...PUBACK]));
      assert.deepEqual(decoded.map((packet) => packet.type), ["connack", "puback"]);
      for (const [name, open, via] of adapters) {
        const connection = await open();
        try {
          const exchange = await runExchange(connection, { clientId: "tern-exchange", via });
          assert.deepEqual(exchange, expected, name);
        } finally {
          await connection.close();
        }
      }

      // Each PUBLISH reaches the subscriber as a QoS 0 copy: no packet id.
      const topic = new TextEncoder().encode(TOPIC);
      const payload = new TextEncoder().encode("hello");
      const copy = new Uint8Array([
        0x30,
        2 + topic.length + payload.length,
        0,
        topic.length,
        ...topic,
        ...payload,
      ]);
      const received = await readExactly(subscriberReader, copy.length * adapters.length);
      assert.deepEqual(splitPackets(received), adapters.map(() => copy));
    } finally {
      await subscriber.close();
    }
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
