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
