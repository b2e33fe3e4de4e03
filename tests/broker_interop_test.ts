/**
 * The embedded broker (`@tern/broker`) against other clients over real sockets:
 * mosquitto_pub / mosquitto_sub (MQTT 3.1.1 and 5), MQTT.js over TCP and WebSocket, and
 * Tern's own MqttClient over TCP, WebSocket and mutual TLS.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { MqttClient } from "@tern/agent";
import { Broker } from "@tern/broker";
import { startFromArgs } from "@tern/broker/main";
import { generateCertificates } from "./support/certs.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`${command} failed (${output.code}): ${text(output.stderr)}`);
  }
  return text(output.stdout);
}

for (const flag of ["mqttv311", "mqttv5"]) {
  Deno.test(`mosquitto_pub and mosquitto_sub talk through the embedded broker (MQTT ${flag})`, async () => {
    await using broker = new Broker();
    const listener = await broker.listen({ port: 0 });
    const port = String(listener.port);
    const sub = run("mosquitto_sub", [
      "-h",
      "127.0.0.1",
      "-p",
      port,
      "-V",
      flag,
      "-i",
      "sub",
      "-t",
      "interop/#",
      "-q",
      "2",
      "-C",
      "3",
      "-v",
      "-W",
      "10",
    ]);
    // mosquitto_sub subscribes right after its CONNACK; publish once the SUBACK is due.
    while (broker.stats().subscriptions === 0) await new Promise((r) => setTimeout(r, 10));
    for (const qos of ["0", "1", "2"]) {
      await run("mosquitto_pub", [
        "-h",
        "127.0.0.1",
        "-p",
        port,
        "-V",
        flag,
        "-t",
        `interop/q${qos}`,
        "-m",
        `at ${qos}`,
        "-q",
        qos,
      ]);
    }
    assert.deepEqual((await sub).trim().split("\n"), [
      "interop/q0 at 0",
      "interop/q1 at 1",
      "interop/q2 at 2",
    ]);
  });
}

Deno.test("mosquitto_sub gets a retained message and MQTT 5 properties published by MQTT.js", async () => {
  await using broker = new Broker();
  const listener = await broker.listen({ port: 0 });
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${listener.port}`, {
    protocolVersion: 5,
  });
  await client.publishAsync("interop/retained", "kept", {
    qos: 1,
    retain: true,
    properties: { userProperties: { k: "v" }, contentType: "text/plain" },
  });
  await client.endAsync();
  const line = await run("mosquitto_sub", [
    "-h",
    "127.0.0.1",
    "-p",
    String(listener.port),
    "-V",
    "mqttv5",
    "-t",
    "interop/retained",
    "-C",
    "1",
    "-F",
    "%t %p %C %P",
    "-W",
    "10",
  ]);
  assert.equal(line.trim(), "interop/retained kept text/plain k:v");
});

for (const protocolVersion of [4, 5] as const) {
  Deno.test(`MQTT.js subscribes and publishes at QoS 2 over TCP and WebSocket (MQTT ${protocolVersion})`, async () => {
    await using broker = new Broker();
    const tcp = await broker.listen({ port: 0 });
    const ws = await broker.listenWebSocket({ port: 0 });
    const subscriber = await mqtt.connectAsync(ws.url, { protocolVersion, clientId: "mqttjs-sub" });
    const publisher = await mqtt.connectAsync(tcp.url, { protocolVersion, clientId: "mqttjs-pub" });
    await subscriber.subscribeAsync("js/#", { qos: 2 });
    const received = new Promise<string>((resolve) =>
      subscriber.on("message", (topic, payload) => resolve(`${topic} ${payload}`))
    );
    await publisher.publishAsync("js/x", "exactly once", { qos: 2 });
    assert.equal(await received, "js/x exactly once");
    await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
  });
}

Deno.test("Tern's MqttClient uses the embedded broker over TCP and over WebSocket", async () => {
  await using broker = new Broker();
  const tcp = await broker.listen({ port: 0 });
  const ws = await broker.listenWebSocket({ port: 0, path: "/mqtt" });
  const a = new MqttClient({ url: tcp.url, clientId: "tern-tcp", reconnect: false });
  const b = new MqttClient({
    url: ws.url,
    clientId: "tern-ws",
    reconnect: false,
    protocolVersion: 4,
  });
  await Promise.all([a.start(), b.start()]);
  const messages = b.subscribe("tern/#", { qos: 1 });
  await messages;
  await a.publish("tern/hello", "over tcp", { qos: 1 });
  const { value } = await messages.next();
  assert.equal(text(value!.payload), "over tcp");
  await messages.return();
  await Promise.all([a.stop(), b.stop()]);
});

Deno.test("a TLS listener with a CA requires client certificates and reports the peer certificate", async () => {
  const certs = await generateCertificates();
  try {
    const peers: boolean[] = [];
    await using broker = new Broker({
      hooks: {
        authenticate: ({ client }) => {
          peers.push(client.peerCertificate !== undefined);
          return client.peerCertificate !== undefined;
        },
      },
    });
    const listener = await broker.listen({
      port: 0,
      cert: certs.pem.serverCert,
      key: certs.pem.serverKey,
      ca: certs.pem.caCert,
    });
    assert.match(listener.url, /^mqtts:/);
    const url = `mqtts://localhost:${listener.port}`;
    const client = new MqttClient({
      url,
      clientId: "mtls",
      reconnect: false,
      transportOptions: {
        caCerts: [certs.pem.caCert],
        cert: certs.pem.clientCert,
        key: certs.pem.clientKey,
      },
    });
    await client.start();
    await client.publish("tls/x", "secure", { qos: 1 });
    await client.stop();
    assert.deepEqual(peers, [true]);
    const anonymous = new MqttClient({
      url,
      clientId: "no-cert",
      reconnect: false,
      transportOptions: { caCerts: [certs.pem.caCert] },
    });
    await assert.rejects(anonymous.start());
    await anonymous.stop();
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("deno task broker's --tls-* flags serve mutual TLS next to plain TCP", async () => {
  const certs = await generateCertificates();
  try {
    const running = await startFromArgs([
      "--port",
      "0",
      "--tls-port",
      "0",
      "--quiet",
      "--tls-cert",
      certs.serverCert,
      "--tls-key",
      certs.serverKey,
      "--tls-ca",
      certs.caCert,
    ]);
    try {
      const tlsUrl = running.urls.find((url) => url.startsWith("mqtts:"))!;
      const tlsClient = new MqttClient({
        url: tlsUrl.replace("127.0.0.1", "localhost"),
        reconnect: false,
        transportOptions: {
          caCerts: [certs.pem.caCert],
          cert: certs.pem.clientCert,
          key: certs.pem.clientKey,
        },
      });
      const plainUrl = running.urls.find((url) => url.startsWith("mqtt:"))!;
      const plainClient = new MqttClient({ url: plainUrl, reconnect: false });
      await Promise.all([tlsClient.start(), plainClient.start()]);
      const inbox = plainClient.subscribe("secure/#", { qos: 1 });
      await inbox;
      await tlsClient.publish("secure/x", "over mutual TLS, read over TCP", { qos: 1 });
      const { value } = await inbox.next();
      assert.equal(text(value!.payload), "over mutual TLS, read over TCP");
      await inbox.return();
      await Promise.all([tlsClient.stop(), plainClient.stop()]);
    } finally {
      await running.stop();
    }
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
