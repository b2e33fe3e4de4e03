/**
 * The AWS IoT builders through an `https://` proxy: TLS to the proxy (tinyproxy behind a TLS
 * terminator), and the device's mutual TLS to mosquitto inside the tunnel.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import {
  type IotClientOptions,
  mtlsOptions,
  toMqttClientOptions,
  websocketSigV4Options,
} from "@tern/aws";
import { startBroker, wssListener } from "./support/broker.ts";
import { freePort, waitForPort } from "./support/free_port.ts";
import { generateCertificates, type TestCertificates } from "./support/certs.ts";
// Lives with the transport tests; shared here rather than duplicated.
import { startTinyproxy } from "../packages/transport/testdata/tinyproxy.ts";
import { startTlsFront } from "../packages/transport/testdata/tls_front.ts";

/** tinyproxy behind a TLS terminator that presents the test server certificate. */
async function startHttpsProxy(certs: TestCertificates) {
  const proxy = await startTinyproxy();
  const front = startTlsFront({
    cert: certs.pem.serverCert,
    key: certs.pem.serverKey,
    target: proxy.port,
  });
  return {
    front,
    frontPort: front.port,
    connects: () => proxy.connects(),
    async [Symbol.asyncDispose]() {
      await front[Symbol.asyncDispose]();
      await proxy[Symbol.asyncDispose]();
    },
  };
}

Deno.test("a device connects with mutual TLS through an https:// proxy", async () => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs });
    await using proxy = await startHttpsProxy(certs);
    const client = new MqttClient({
      ...toMqttClientOptions(mtlsOptions({
        endpoint: "localhost",
        clientId: "device-behind-https-proxy",
        port: broker.mtlsPort!,
        cert: certs.pem.clientCert,
        key: certs.pem.clientKey,
        caCerts: [certs.pem.caCert],
        proxy: `https://127.0.0.1:${proxy.frontPort}`,
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
    assert.equal(proxy.front.handshakes, 1);
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("MQTT over a SigV4 wss:// URL goes through an https:// proxy", async () => {
  const certs = await generateCertificates();
  try {
    const wssPort = freePort();
    await using _broker = await startBroker({
      config: wssListener(certs, wssPort),
    });
    await waitForPort(wssPort);
    await using proxy = await startHttpsProxy(certs);
    const options = websocketSigV4Options({
      endpoint: "localhost",
      region: "us-east-1",
      clientId: "browserless-device",
      caCerts: [certs.pem.caCert],
      credentials: () => Promise.resolve({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "s" }),
      proxy: `https://127.0.0.1:${proxy.frontPort}`,
    });
    // Only the port changes: IoT listens on wss://<endpoint>:443, mosquitto elsewhere.
    const local: IotClientOptions = {
      ...options,
      connectOptionsProvider: async (context) => {
        const { url } = await options.connectOptionsProvider!(context);
        return { url: url!.replace("wss://localhost/", `wss://localhost:${wssPort}/`) };
      },
    };
    const client = new MqttClient({ ...toMqttClientOptions(local), reconnect: false });
    await client.start();
    try {
      await client.publish("devices/hello", "over wss through an https proxy", { qos: 1 });
    } finally {
      await client.stop();
    }
    assert.equal(await proxy.connects(), 1);
    assert.equal(proxy.front.handshakes, 1);
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
