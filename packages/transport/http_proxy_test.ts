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

Deno.test("httpProxy() and nodeHttpProxy() speak TLS to an https:// proxy (tinyproxy behind a TLS terminator)", async (t) => {
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
    const adapters = [["httpProxy", httpProxy], ["nodeHttpProxy", nodeHttpProxy]] as const;

    for (const [name, proxyUrl, proxy, tlsFront] of proxies) {
      for (const [adapter, make] of adapters) {
        await t.step(`${adapter} carries plain MQTT ${name}`, async () => {
          const [connects, handshakes] = [await proxy.connects(), tlsFront.handshakes];
          const connection = await make({
            proxy: proxyUrl,
            proxyTls,
            hostname: "127.0.0.1",
            port: broker.port,
          }).open();
          try {
            assert.equal(connection.alpnProtocol, null);
            const exchange = await runExchange(connection, {
              clientId: "https-proxy",
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

      await t.step(
        `nodeHttpProxy carries TLS to the broker inside the proxy's TLS ${name}`,
        async () => {
          const [connects, handshakes] = [await proxy.connects(), tlsFront.handshakes];
          const connection = await nodeHttpProxy({
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
        },
      );
    }

    await t.step("nodeHttpProxy presents a client certificate inside the tunnel", async () => {
      const connection = await nodeHttpProxy({
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

    for (const [adapter, make] of adapters) {
      await t.step(`${adapter} verifies the proxy's certificate`, async () => {
        await assertTransportError(
          make({
            proxy: `https://127.0.0.1:${openFront.port}`,
            proxyTls: { caCerts: [certs.pem.otherCaCert] },
            hostname: "127.0.0.1",
            port: broker.port,
          }).open(),
          "tls-unknown-ca",
        );
      });

      await t.step(`${adapter} fails with proxy-auth-required on a wrong password`, async () => {
        await assertTransportError(
          make({
            proxy: `https://tern:wrong@127.0.0.1:${guardedFront.port}`,
            proxyTls,
            hostname: "127.0.0.1",
            port: broker.port,
          }).open(),
          "proxy-auth-required",
        );
      });
    }
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("httpProxy() refuses TLS inside an https:// proxy's TLS, which Deno cannot layer", () => {
  assert.throws(
    () => httpProxy({ proxy: "https://127.0.0.1", hostname: "a", port: 8883, tls: true }),
    new TypeError(
      "Cannot create http proxy transport: Deno cannot start TLS inside the TLS to an " +
        "https:// proxy; use nodeHttpProxy from @tern/transport/node",
    ),
  );
});

Deno.test("httpProxy() and nodeHttpProxy() take proxyTls only with an https:// proxy, and check it", () => {
  for (
    const [adapter, make] of [["http proxy", httpProxy], [
      "node http proxy",
      nodeHttpProxy,
    ]] as const
  ) {
    assert.throws(
      () => make({ proxy: "http://127.0.0.1:3128", proxyTls: {}, hostname: "a", port: 1883 }),
      new TypeError(`Cannot create ${adapter} transport: proxyTls is for https:// proxies only`),
    );
    assert.throws(
      () =>
        make({
          proxy: "https://127.0.0.1",
          proxyTls: { caCerts: ["not pem"] },
          hostname: "a",
          port: 1883,
        }),
      new TypeError(`Cannot create ${adapter} transport: caCerts must be PEM text`),
    );
  }
});

Deno.test("httpProxy() and nodeHttpProxy() with an https:// proxy reject with the signal's reason when aborted", async () => {
  for (const make of [httpProxy, nodeHttpProxy]) {
    await assertAbortsMidOpen((port, signal) =>
      make({ proxy: `https://127.0.0.1:${port}`, hostname: "127.0.0.1", port: 1883 })
        .open({ signal })
    );
  }
});
