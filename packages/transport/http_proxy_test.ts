import assert from "node:assert/strict";
import { startBroker } from "../../tests/support/broker.ts";
import { generateCertificates } from "../../tests/support/certs.ts";
import { freePort } from "../../tests/support/free_port.ts";
import { httpProxy } from "./http_proxy.ts";
import { nodeHttpProxy } from "./node.ts";
import { assertAbortsMidOpen } from "./testdata/abort_mid_open.ts";
import { assertTransportError } from "./testdata/assert_error.ts";
import { CONNACK, PUBACK, runExchange } from "./testdata/exchange.ts";
import { recordNoDelay } from "./testdata/no_delay.ts";
import { startTinyproxy } from "./testdata/tinyproxy.ts";
import { startTlsFront } from "./testdata/tls_front.ts";

Deno.test("httpProxy() tunnels through tinyproxy to mosquitto", async (t) => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs });
    await using open = await startTinyproxy();
    await using guarded = await startTinyproxy({
      credentials: { user: "tern", password: "s3cret" },
    });

    for (
      const [name, proxy] of [["without credentials", open], ["with credentials", guarded]] as const
    ) {
      await t.step(`carries plain MQTT ${name}`, async () => {
        const before = await proxy.connects();
        using noDelay = recordNoDelay();
        const connection = await httpProxy({
          proxy: proxy.url,
          hostname: "127.0.0.1",
          port: broker.port,
        }).open();
        try {
          assert.deepEqual(noDelay.values, [true]);
          assert.equal(connection.alpnProtocol, null);
          const exchange = await runExchange(connection, { clientId: "proxy", via: "read" });
          assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
        } finally {
          await connection.close();
        }
        assert.equal(await proxy.connects(), before + 1);
      });

      await t.step(`carries TLS to the broker ${name}`, async () => {
        const before = await proxy.connects();
        const connection = await httpProxy({
          proxy: proxy.url,
          hostname: "localhost",
          port: broker.tlsPort!,
          tls: { caCerts: [certs.pem.caCert] },
        }).open();
        try {
          const exchange = await runExchange(connection, {
            clientId: "proxy-tls",
            via: "readable",
          });
          assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
        } finally {
          await connection.close();
        }
        assert.equal(await proxy.connects(), before + 1);
      });
    }

    await t.step("verifies the broker's certificate inside the tunnel", async () => {
      await assertTransportError(
        httpProxy({ proxy: open.url, hostname: "127.0.0.1", port: broker.tlsPort!, tls: true })
          .open(),
        "tls-unknown-ca",
      );
    });

    await t.step("fails with proxy-auth-required on a wrong password", async () => {
      const url = new URL(guarded.url);
      url.password = "wrong";
      const error = await assertTransportError(
        httpProxy({ proxy: url, hostname: "127.0.0.1", port: broker.port }).open(),
        "proxy-auth-required",
      );
      // tinyproxy answers wrong credentials with 401, missing ones with 407.
      assert.equal(error.status, 401);
    });

    await t.step("fails with proxy-auth-required without credentials", async () => {
      const url = new URL(guarded.url);
      url.username = "";
      url.password = "";
      const error = await assertTransportError(
        httpProxy({ proxy: url, hostname: "127.0.0.1", port: broker.port }).open(),
        "proxy-auth-required",
      );
      assert.equal(error.status, 407);
    });

    await t.step("fails with proxy-status when the proxy cannot reach the server", async () => {
      const error = await assertTransportError(
        httpProxy({ proxy: open.url, hostname: "127.0.0.1", port: freePort() }).open(),
        "proxy-status",
      );
      assert.ok(error.status! >= 400, `status ${error.status}`);
    });
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("httpProxy() reports a proxy that refuses connections as refused", async () => {
  await assertTransportError(
    httpProxy({ proxy: `http://127.0.0.1:${freePort()}`, hostname: "127.0.0.1", port: 1883 })
      .open(),
    "refused",
  );
});

Deno.test("httpProxy() gives up on a proxy that never answers CONNECT", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  try {
    const proxy = `http://127.0.0.1:${listener.addr.port}`;
    await assertTransportError(
      httpProxy({ proxy, hostname: "127.0.0.1", port: 1883, connectTimeoutMs: 50 }).open(),
      "timeout",
    );
  } finally {
    (await accepted).close();
  }
});

Deno.test("httpProxy() rejects a client certificate, which Deno.startTls cannot present", () => {
  const pem = "-----BEGIN X-----\n-----END X-----\n";
  assert.throws(
    () =>
      httpProxy({
        proxy: "http://127.0.0.1:3128",
        hostname: "a",
        port: 8883,
        tls: { cert: pem, key: pem },
      }),
    /nodeHttpProxy/,
  );
});

Deno.test("httpProxy() and nodeHttpProxy() reject with the signal's reason when aborted", async () => {
  for (const make of [httpProxy, nodeHttpProxy]) {
    await assertAbortsMidOpen((port, signal) =>
      make({ proxy: `http://127.0.0.1:${port}`, hostname: "127.0.0.1", port: 1883 }).open({
        signal,
      })
    );
  }
});

Deno.test("httpProxy() speaks TLS to an https:// proxy (tinyproxy behind a TLS terminator)", async (t) => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs });
    await using open = await startTinyproxy();
    await using guarded = await startTinyproxy({
      credentials: { user: "tern", password: "s3cret" },
    });
    const front = (target: number) =>
      startTlsFront({ cert: certs.pem.serverCert, key: certs.pem.serverKey, target });
    await using openFront = front(open.port);
    await using guardedFront = front(guarded.port);
    const proxyTls = { caCerts: [certs.pem.caCert] };
    const proxies = [
      ["without credentials", `https://127.0.0.1:${openFront.port}`, open, openFront],
      [
        "with credentials",
        `https://tern:s3cret@127.0.0.1:${guardedFront.port}`,
        guarded,
        guardedFront,
      ],
    ] as const;

    for (const [name, proxyUrl, proxy, tlsFront] of proxies) {
      await t.step(`carries plain MQTT ${name}`, async () => {
        const [connects, handshakes] = [await proxy.connects(), tlsFront.handshakes];
        const connection = await httpProxy({
          proxy: proxyUrl,
          proxyTls,
          hostname: "127.0.0.1",
          port: broker.port,
        }).open();
        try {
          assert.equal(connection.alpnProtocol, null);
          const exchange = await runExchange(connection, { clientId: "https-proxy", via: "read" });
          assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
        } finally {
          await connection.close();
        }
        assert.equal(await proxy.connects(), connects + 1);
        assert.equal(tlsFront.handshakes, handshakes + 1);
      });

      await t.step(`carries TLS to the broker inside the proxy's TLS ${name}`, async () => {
        const [connects, handshakes] = [await proxy.connects(), tlsFront.handshakes];
        const connection = await httpProxy({
          proxy: proxyUrl,
          proxyTls: { ...proxyTls, serverName: "localhost" },
          hostname: "localhost",
          port: broker.tlsPort!,
          tls: { caCerts: [certs.pem.caCert] },
        }).open();
        try {
          const exchange = await runExchange(connection, {
            clientId: "https-proxy-tls",
            via: "readable",
          });
          assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
        } finally {
          await connection.close();
        }
        assert.equal(await proxy.connects(), connects + 1);
        assert.equal(tlsFront.handshakes, handshakes + 1);
      });
    }

    await t.step("presents a client certificate to the broker inside the tunnel", async () => {
      const connection = await httpProxy({
        proxy: `https://127.0.0.1:${openFront.port}`,
        proxyTls,
        hostname: "localhost",
        port: broker.mtlsPort!,
        tls: { caCerts: [certs.pem.caCert], cert: certs.pem.clientCert, key: certs.pem.clientKey },
      }).open();
      try {
        const exchange = await runExchange(connection, { clientId: "https-mtls", via: "readable" });
        assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
      } finally {
        await connection.close();
      }
    });

    await t.step("verifies the proxy's certificate", async () => {
      for (const tls of [undefined, { caCerts: [certs.pem.caCert] }]) {
        await assertTransportError(
          httpProxy({
            proxy: `https://127.0.0.1:${openFront.port}`,
            proxyTls: { caCerts: [certs.pem.otherCaCert] },
            hostname: "localhost",
            port: tls ? broker.tlsPort! : broker.port,
            tls,
          }).open(),
          "tls-unknown-ca",
        );
      }
    });

    await t.step("fails with proxy-auth-required on a wrong password", async () => {
      await assertTransportError(
        httpProxy({
          proxy: `https://tern:wrong@127.0.0.1:${guardedFront.port}`,
          proxyTls,
          hostname: "127.0.0.1",
          port: broker.port,
        }).open(),
        "proxy-auth-required",
      );
    });
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("httpProxy() takes proxyTls only with an https:// proxy, and checks it", () => {
  assert.throws(
    () => httpProxy({ proxy: "http://127.0.0.1:3128", proxyTls: {}, hostname: "a", port: 1883 }),
    new TypeError("Cannot create http proxy transport: proxyTls is for https:// proxies only"),
  );
  assert.throws(
    () =>
      httpProxy({
        proxy: "https://127.0.0.1",
        proxyTls: { caCerts: ["not pem"] },
        hostname: "a",
        port: 1883,
      }),
    new TypeError("Cannot create http proxy transport: caCerts must be PEM text"),
  );
});

Deno.test("httpProxy() with an https:// proxy rejects with the signal's reason when aborted", async () => {
  for (const tls of [false, true]) {
    await assertAbortsMidOpen((port, signal) =>
      httpProxy({ proxy: `https://127.0.0.1:${port}`, hostname: "127.0.0.1", port: 8883, tls })
        .open({ signal })
    );
  }
});
