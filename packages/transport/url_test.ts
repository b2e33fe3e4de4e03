import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { generateCertificates } from "../../tests/support/certs.ts";
import { CONNACK, PUBACK, runExchange } from "./testdata/exchange.ts";
import { startTinyproxy } from "./testdata/tinyproxy.ts";
import { fromUrl } from "./url.ts";

Deno.test("fromUrl() opens mqtt, mqtts, tcp, tls and ws URLs against mosquitto", async () => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs, websocket: true });
    await using proxy = await startTinyproxy();
    const caCerts = [certs.pem.caCert];
    const cases: [string, Parameters<typeof fromUrl>[1]][] = [
      [`mqtt://127.0.0.1:${broker.port}`, {}],
      [`tcp://127.0.0.1:${broker.port}`, {}],
      [`mqtts://localhost:${broker.tlsPort}`, { caCerts }],
      [`tls://127.0.0.1:${broker.mtlsPort}`, {
        caCerts,
        cert: certs.pem.clientCert,
        key: certs.pem.clientKey,
      }],
      [`ws://127.0.0.1:${broker.wsPort}/mqtt`, {}],
      [`mqtt://127.0.0.1:${broker.port}`, { proxy: proxy.url }],
      [`mqtts://localhost:${broker.tlsPort}`, { caCerts, proxy: proxy.url }],
      // Deno.startTls cannot present a client certificate: this one goes through node:tls.
      [`mqtts://127.0.0.1:${broker.mtlsPort}`, {
        caCerts,
        cert: certs.pem.clientCert,
        key: certs.pem.clientKey,
        proxy: proxy.url,
      }],
    ];
    for (const [url, options] of cases) {
      const connection = await fromUrl(url, options).open();
      try {
        const exchange = await runExchange(connection, { clientId: "url", via: "readable" });
        assert.deepEqual(exchange.read, [CONNACK, PUBACK], url);
      } finally {
        await connection.close();
      }
    }
    assert.equal(await proxy.connects(), 3);
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("fromUrl() rejects schemes and options it cannot honour", () => {
  assert.throws(() => fromUrl("http://127.0.0.1"), /use mqtt, mqtts, ws, wss, tcp or tls/);
  assert.throws(() => fromUrl("wss://127.0.0.1", { caCerts: ["x"] }), /cannot take caCerts/);
  assert.throws(() => fromUrl("ws://127.0.0.1", { proxy: "http://p" }), /cannot take proxy/);
  assert.throws(() => fromUrl("mqtt://127.0.0.1", { alpnProtocols: ["a"] }), /need a TLS URL/);
});
