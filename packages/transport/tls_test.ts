import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { generateCertificates } from "../../tests/support/certs.ts";
import { alpnServer } from "./testdata/alpn_server.ts";
import { assertRefused, assertTransportError } from "./testdata/assert_error.ts";
import { offeredAlpn } from "./testdata/client_hello.ts";
import { CONNACK, connectPacket, PUBACK, runExchange } from "./testdata/exchange.ts";
import { recordNoDelay } from "./testdata/no_delay.ts";
import { tls } from "./tls.ts";

Deno.test("tls() against mosquitto", async (t) => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs });
    const base = { hostname: "127.0.0.1", caCerts: [certs.pem.caCert] };
    const client = { cert: certs.pem.clientCert, key: certs.pem.clientKey };

    await t.step("exchanges CONNECT → PUBACK with server authentication", async () => {
      using noDelay = recordNoDelay();
      const connection = await tls({ ...base, port: broker.tlsPort! }).open();
      // Opened as TCP first, with Nagle's algorithm off.
      assert.deepEqual(noDelay.values, [true]);
      try {
        assert.equal(connection.alpnProtocol, null);
        const exchange = await runExchange(connection, { clientId: "tls", via: "read" });
        assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
      } finally {
        await connection.close();
      }
    });

    await t.step("verifies the server by host name as well as by IP address", async () => {
      const connection = await tls({ ...base, hostname: "localhost", port: broker.tlsPort! })
        .open();
      try {
        const exchange = await runExchange(connection, { clientId: "tls-name", via: "readable" });
        assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
      } finally {
        await connection.close();
      }
    });

    await t.step("fails open() with tls-unknown-ca when the CA is not trusted", async () => {
      await assertTransportError(
        tls({ hostname: "127.0.0.1", port: broker.tlsPort! }).open(),
        "tls-unknown-ca",
      );
      await assertTransportError(
        tls({ ...base, caCerts: [certs.pem.otherCaCert], port: broker.tlsPort! }).open(),
        "tls-unknown-ca",
      );
    });

    await t.step("fails open() with tls-hostname-mismatch for another server name", async () => {
      const error = await assertTransportError(
        tls({ ...base, port: broker.tlsPort!, serverName: "broker.example.com" }).open(),
        "tls-hostname-mismatch",
      );
      assert.match(error.message, /broker\.example\.com/);
      await assertTransportError(
        tls({ ...base, port: broker.mtlsPort!, serverName: "broker.example.com" }).open(),
        "tls-hostname-mismatch",
      );
    });

    await t.step(
      "is accepted by require_certificate with the right client certificate",
      async () => {
        const connection = await tls({ ...base, ...client, port: broker.mtlsPort! }).open();
        try {
          const exchange = await runExchange(connection, { clientId: "mtls", via: "read" });
          assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
        } finally {
          await connection.close();
        }
      },
    );

    await t.step("is refused by require_certificate without a client certificate", async () => {
      await assertRefused(
        () => tls({ ...base, port: broker.mtlsPort! }).open(),
        (connection) => runExchange(connection, { clientId: "no-cert", via: "read" }),
        "tls-client-certificate-rejected",
      );
    });

    await t.step(
      "is refused by require_certificate with a certificate from another CA",
      async () => {
        await assertRefused(
          () =>
            tls({
              ...base,
              cert: certs.pem.otherClientCert,
              key: certs.pem.otherClientKey,
              port: broker.mtlsPort!,
            }).open(),
          (connection) => runExchange(connection, { clientId: "other-ca", via: "readable" }),
          "tls-client-certificate-rejected",
        );
      },
    );
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("tls() offers its ALPN protocols and reports the one negotiated", async () => {
  const certs = await generateCertificates();
  try {
    const alpnProtocols = ["x-amzn-mqtt-ca", "mqtt"];
    // A plain listener reads the ClientHello to see what is offered ...
    using recorder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const recorded = (async () => {
      using conn = await recorder.accept();
      return await offeredAlpn(conn);
    })();
    const recorderTransport = tls({
      hostname: "127.0.0.1",
      port: recorder.addr.port,
      caCerts: [certs.pem.caCert],
      alpnProtocols,
      connectTimeoutMs: 60_000,
    });
    const failed = recorderTransport.open().then(() => "opened", () => "failed");
    assert.deepEqual(await recorded, alpnProtocols);
    assert.equal(await failed, "failed");

    // ... and a TLS listener that supports only one of them picks it.
    using server = alpnServer(certs, ["x-amzn-mqtt-ca"]);
    const connection = await tls({
      hostname: "127.0.0.1",
      port: server.port,
      caCerts: [certs.pem.caCert],
      alpnProtocols,
    }).open();
    await connection.close();
    assert.equal(connection.alpnProtocol, "x-amzn-mqtt-ca");
    assert.equal(await server.chosen, "x-amzn-mqtt-ca");
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("tls() gives up on a silent server after connectTimeoutMs and on abort", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for (let i = 0; i < 2; i++) accepted.push(await listener.accept());
  })();
  const transport = (connectTimeoutMs?: number) =>
    tls({ hostname: "127.0.0.1", port: listener.addr.port, connectTimeoutMs });
  try {
    const error = await assertTransportError(transport(50).open(), "timeout");
    assert.match(error.message, /timed out after 50 ms/);

    const controller = new AbortController();
    const reason = new Error("shutting down");
    const opening = transport().open({ signal: controller.signal });
    while (accepted.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(reason);
    await assert.rejects(opening, (error) => error === reason);
  } finally {
    await accepting;
    for (const conn of accepted) conn.close();
  }
});

Deno.test("tls() rejects settings that cannot work before connecting", () => {
  const pem = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
  assert.throws(() => tls({ hostname: "a", port: 8883, cert: pem }), /cert and key/);
  assert.throws(() => tls({ hostname: "a", port: 8883, caCerts: ["not pem"] }), /PEM/);
  assert.throws(
    () => tls({ hostname: "a", port: 8883, cert: pem, key: pem, serverName: "b" }),
    /client certificate/,
  );
});

Deno.test("tls() reports a broker that dies mid-stream as network, not as a TLS problem", async () => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs });
    const connection = await tls({
      hostname: "localhost",
      port: broker.tlsPort!,
      caCerts: [certs.pem.caCert],
    }).open();
    try {
      await connection.write(connectPacket("dies"));
      const reader = connection.readable.getReader();
      assert.deepEqual((await reader.read()).value, CONNACK);
      await broker.kill("SIGKILL");
      await assertTransportError(reader.read(), "network");
      reader.releaseLock();
    } finally {
      await connection.close();
    }
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
