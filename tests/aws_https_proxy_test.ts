/**
 * The AWS IoT builders through an `https://` proxy: TLS to the proxy (tinyproxy behind a TLS
 * terminator), and the device's mutual TLS to mosquitto inside the tunnel.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { mtlsOptions, toMqttClientOptions } from "@tern/aws";
import { startBroker } from "./support/broker.ts";
import { generateCertificates } from "./support/certs.ts";
// Lives with the transport tests; shared here rather than duplicated.
import { startTinyproxy } from "../packages/transport/testdata/tinyproxy.ts";
import { startTlsFront } from "../packages/transport/testdata/tls_front.ts";

Deno.test("a device connects with mutual TLS through an https:// proxy", async () => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs });
    await using proxy = await startTinyproxy();
    await using front = startTlsFront({
      cert: certs.pem.serverCert,
      key: certs.pem.serverKey,
      target: proxy.port,
    });
    const client = new MqttClient({
      ...toMqttClientOptions(mtlsOptions({
        endpoint: "localhost",
        clientId: "device-behind-https-proxy",
        port: broker.mtlsPort!,
        cert: certs.pem.clientCert,
        key: certs.pem.clientKey,
        caCerts: [certs.pem.caCert],
        proxy: `https://127.0.0.1:${front.port}`,
      })),
      reconnect: false,
    });
    await client.start();
    try {
      const received = Promise.withResolvers<string>();
      await client.subscribe("devices/echo", {
        qos: 1,
        handler: (message) => received.resolve(new TextDecoder().decode(message.payload)),
      });
      await client.publish("devices/echo", "through two TLS layers", { qos: 1 });
      assert.equal(await received.promise, "through two TLS layers");
    } finally {
      await client.stop();
    }
    assert.equal(await proxy.connects(), 1);
    assert.equal(front.handshakes, 1);
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
