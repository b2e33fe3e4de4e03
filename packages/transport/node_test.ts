// The node adapter, run by Deno's node:net / node:tls; tests/transport_node_test.ts runs it
// under Node and Bun themselves.
import assert from "node:assert/strict";
import net from "node:net";
import { startBroker } from "../../tests/support/broker.ts";
import { generateCertificates } from "../../tests/support/certs.ts";
import { freePort } from "../../tests/support/free_port.ts";
import { nodeHttpProxy, nodeTcp, nodeTls } from "./node.ts";
import { alpnServer } from "./testdata/alpn_server.ts";
import { assertRefused, assertTransportError } from "./testdata/assert_error.ts";
import { CONNACK, PUBACK, runExchange } from "./testdata/exchange.ts";
import { startTinyproxy } from "./testdata/tinyproxy.ts";

Deno.test("nodeTcp() exchanges CONNECT → PUBACK with mosquitto, Nagle's algorithm off", async () => {
  await using broker = await startBroker();
  const setNoDelay = net.Socket.prototype.setNoDelay;
  const noDelay: (boolean | undefined)[] = [];
  net.Socket.prototype.setNoDelay = function (value?: boolean) {
    noDelay.push(value);
    return setNoDelay.call(this, value);
  };
  let connection;
  try {
    connection = await nodeTcp({ hostname: "127.0.0.1", port: broker.port }).open();
  } finally {
    net.Socket.prototype.setNoDelay = setNoDelay;
  }
  assert.deepEqual(noDelay, [true]);
  try {
    const exchange = await runExchange(connection, { clientId: "node-tcp", via: "readable" });
    assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
  } finally {
    await connection.close();
    await connection.close();
  }
});

Deno.test("nodeTcp() reports a refused connection as refused", async () => {
  await assertTransportError(
    nodeTcp({ hostname: "127.0.0.1", port: freePort() }).open(),
    "refused",
  );
});

Deno.test("nodeTls() against mosquitto", async (t) => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs });
    const base = { hostname: "127.0.0.1", caCerts: [certs.pem.caCert] };
    const client = { cert: certs.pem.clientCert, key: certs.pem.clientKey };
    const exchanges = async (options: Parameters<typeof nodeTls>[0], clientId: string) => {
      const connection = await nodeTls(options).open();
      try {
        const exchange = await runExchange(connection, { clientId, via: "readable" });
        assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
      } finally {
        await connection.close();
      }
    };

    await t.step("exchanges CONNECT → PUBACK with server authentication", async () => {
      await exchanges({ ...base, port: broker.tlsPort! }, "node-tls");
      await exchanges({ ...base, hostname: "localhost", port: broker.tlsPort! }, "node-tls-name");
    });

    await t.step("fails with tls-unknown-ca when the CA is not trusted", async () => {
      await assertTransportError(
        nodeTls({ hostname: "127.0.0.1", port: broker.tlsPort! }).open(),
        "tls-unknown-ca",
      );
    });

    await t.step(
      "is accepted by require_certificate with the right client certificate",
      async () => {
        await exchanges({ ...base, ...client, port: broker.mtlsPort! }, "node-mtls");
      },
    );

    await t.step("is refused by require_certificate without a client certificate", async () => {
      await assertRefused(
        () => nodeTls({ ...base, port: broker.mtlsPort! }).open(),
        (connection) => runExchange(connection, { clientId: "no-cert", via: "readable" }),
        "tls-client-certificate-rejected",
      );
    });

    await t.step(
      "is refused by require_certificate with a certificate from another CA",
      async () => {
        await assertRefused(
          () =>
            nodeTls({
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

    await t.step(
      "is refused by require_certificate when the server name does not match",
      async () => {
        await assertTransportError(
          nodeTls({ ...base, ...client, port: broker.mtlsPort!, serverName: "broker.example.com" })
            .open(),
          "tls-hostname-mismatch",
        );
      },
    );

    await t.step("tunnels mutual TLS through tinyproxy with credentials", async () => {
      await using proxy = await startTinyproxy({ credentials: { user: "tern", password: "pw" } });
      const connection = await nodeHttpProxy({
        proxy: proxy.url,
        hostname: "localhost",
        port: broker.mtlsPort!,
        tls: { caCerts: [certs.pem.caCert], ...client },
      }).open();
      try {
        const exchange = await runExchange(connection, { clientId: "node-proxy", via: "readable" });
        assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
      } finally {
        await connection.close();
      }
      assert.equal(await proxy.connects(), 1);
      const url = new URL(proxy.url);
      url.password = "wrong";
      await assertTransportError(
        nodeHttpProxy({ proxy: url, hostname: "127.0.0.1", port: broker.port }).open(),
        "proxy-auth-required",
      );
    });
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("nodeTls() reports the ALPN protocol the server chose", async () => {
  const certs = await generateCertificates();
  try {
    using server = alpnServer(certs, ["x-amzn-mqtt-ca"]);
    const connection = await nodeTls({
      hostname: "127.0.0.1",
      port: server.port,
      caCerts: [certs.pem.caCert],
      alpnProtocols: ["x-amzn-mqtt-ca", "mqtt"],
    }).open();
    await connection.close();
    assert.equal(connection.alpnProtocol, "x-amzn-mqtt-ca");
    assert.equal(await server.chosen, "x-amzn-mqtt-ca");
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("nodeTls() gives up on a silent server after connectTimeoutMs", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  try {
    await assertTransportError(
      nodeTls({ hostname: "127.0.0.1", port: listener.addr.port, connectTimeoutMs: 50 }).open(),
      "timeout",
    );
  } finally {
    (await accepted).close();
  }
});
