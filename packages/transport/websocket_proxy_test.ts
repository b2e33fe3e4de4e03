import assert from "node:assert/strict";
import { startBroker, wssListener } from "../../tests/support/broker.ts";
import { generateCertificates } from "../../tests/support/certs.ts";
import { freePort, waitForPort } from "../../tests/support/free_port.ts";
import { assertAbortsMidOpen } from "./testdata/abort_mid_open.ts";
import { assertTransportError } from "./testdata/assert_error.ts";
import { CONNACK, PUBACK, runExchange } from "./testdata/exchange.ts";
import { startTinyproxy } from "./testdata/tinyproxy.ts";
import { startTlsFront } from "./testdata/tls_front.ts";
import { nodeHttpProxy } from "./node.ts";
import { websocketViaProxy } from "./websocket_proxy.ts";

Deno.test("websocketViaProxy() reaches mosquitto's WebSocket listeners through tinyproxy", async (t) => {
  const certs = await generateCertificates();
  try {
    const wssPort = freePort();
    await using broker = await startBroker({
      websocket: true,
      config: wssListener(certs, wssPort),
    });
    await waitForPort(wssPort);
    await using open = await startTinyproxy();
    await using guarded = await startTinyproxy({
      credentials: { user: "tern", password: "s3cret" },
    });

    for (
      const [name, proxy] of [["without credentials", open], ["with credentials", guarded]] as const
    ) {
      await t.step(`carries MQTT over ws:// ${name}`, async () => {
        const before = await proxy.connects();
        const connection = await websocketViaProxy({
          proxy: proxy.url,
          url: `ws://127.0.0.1:${broker.wsPort}/mqtt`,
        }).open();
        try {
          const exchange = await runExchange(connection, { clientId: "ws-proxy", via: "readable" });
          assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
        } finally {
          await connection.close();
        }
        assert.equal(await proxy.connects(), before + 1);
      });

      await t.step(`carries MQTT over wss:// (TLS inside the tunnel) ${name}`, async () => {
        const before = await proxy.connects();
        const connection = await websocketViaProxy({
          proxy: proxy.url,
          url: `wss://localhost:${wssPort}/mqtt`,
          tls: { caCerts: [certs.pem.caCert] },
        }).open();
        try {
          const exchange = await runExchange(connection, {
            clientId: "wss-proxy",
            via: "readable",
          });
          assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
        } finally {
          await connection.close();
        }
        assert.equal(await proxy.connects(), before + 1);
      });
    }

    await t.step("carries MQTT over wss:// through a nodeHttpProxy tunnel", async () => {
      const before = await open.connects();
      const connection = await websocketViaProxy({
        proxy: open.url,
        url: `wss://localhost:${wssPort}/mqtt`,
        tls: { caCerts: [certs.pem.caCert] },
        tunnel: nodeHttpProxy,
      }).open();
      try {
        const exchange = await runExchange(connection, { clientId: "wss-node", via: "readable" });
        assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
      } finally {
        await connection.close();
      }
      assert.equal(await open.connects(), before + 1);
    });

    await t.step("verifies the server's certificate for wss://", async () => {
      await assertTransportError(
        websocketViaProxy({ proxy: open.url, url: `wss://localhost:${wssPort}/mqtt` }).open(),
        "tls-unknown-ca",
      );
    });

    await t.step("fails with proxy-auth-required on a wrong password", async () => {
      const url = new URL(guarded.url);
      url.password = "wrong";
      await assertTransportError(
        websocketViaProxy({ proxy: url, url: `ws://127.0.0.1:${broker.wsPort}/mqtt` }).open(),
        "proxy-auth-required",
      );
    });

    await t.step("fails with proxy-auth-required without credentials", async () => {
      const url = new URL(guarded.url);
      url.username = "";
      url.password = "";
      const error = await assertTransportError(
        websocketViaProxy({ proxy: url, url: `ws://127.0.0.1:${broker.wsPort}/mqtt` }).open(),
        "proxy-auth-required",
      );
      assert.equal(error.status, 407);
    });
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("websocketViaProxy() calls a url function on every open and reports a refused upgrade", async () => {
  const paths: string[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const url = new URL(request.url);
      paths.push(url.pathname + url.search);
      if (url.searchParams.get("n") === "2") return new Response("no", { status: 403 });
      const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "mqtt" });
      socket.onmessage = (event) => socket.send(event.data);
      socket.onerror = () => {};
      return response;
    },
  );
  await using proxy = await startTinyproxy();
  let n = 0;
  const transport = websocketViaProxy({
    proxy: proxy.url,
    url: () => `ws://127.0.0.1:${server.addr.port}/mqtt?n=${++n}`,
  });
  const connection = await transport.open();
  try {
    await connection.write(new Uint8Array([0xc0, 0x00]));
    const reader = connection.readable.getReader();
    assert.deepEqual([...(await reader.read()).value!], [0xc0, 0x00]);
    reader.releaseLock();
  } finally {
    await connection.close();
  }
  const error = await assertTransportError(transport.open(), "websocket-upgrade");
  assert.equal(error.status, 403);
  assert.deepEqual(paths, ["/mqtt?n=1", "/mqtt?n=2"]);
});

Deno.test("websocketViaProxy() gives up on a server that never answers the upgrade", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await using proxy = await startTinyproxy();
  const accepted = listener.accept();
  try {
    await assertTransportError(
      websocketViaProxy({
        proxy: proxy.url,
        url: `ws://127.0.0.1:${listener.addr.port}/mqtt`,
        connectTimeoutMs: 500,
      }).open(),
      "timeout",
    );
  } finally {
    (await accepted).close();
  }
});

Deno.test("websocketViaProxy() rejects with the signal's reason when aborted", async () => {
  await using proxy = await startTinyproxy();
  await assertAbortsMidOpen((port, signal) =>
    websocketViaProxy({ proxy: proxy.url, url: `ws://127.0.0.1:${port}/mqtt` }).open({ signal })
  );
});

Deno.test("websocketViaProxy() checks its options when created", () => {
  assert.throws(
    () => websocketViaProxy({ proxy: "http://127.0.0.1:3128", url: "mqtt://127.0.0.1:1883" }),
    /URL must start with ws:\/\/ or wss:\/\/, got "mqtt:"/,
  );
  assert.throws(
    () => websocketViaProxy({ proxy: "socks5://127.0.0.1:1080", url: "ws://127.0.0.1/mqtt" }),
    /proxy URL must start with http:\/\//,
  );
  assert.throws(
    () =>
      websocketViaProxy({
        proxy: "http://127.0.0.1:3128",
        url: "ws://127.0.0.1/mqtt",
        maxFrameBytes: 0,
      }),
    RangeError,
  );
});

Deno.test("websocketViaProxy() reaches mosquitto through an https:// proxy", async (t) => {
  const certs = await generateCertificates();
  try {
    const wssPort = freePort();
    await using broker = await startBroker({
      websocket: true,
      config: wssListener(certs, wssPort),
    });
    await waitForPort(wssPort);
    await using proxy = await startTinyproxy();
    await using front = startTlsFront({
      cert: certs.pem.serverCert,
      key: certs.pem.serverKey,
      target: proxy.port,
    });
    const cases = [
      ["ws://", `ws://127.0.0.1:${broker.wsPort}/mqtt`, undefined],
      ["wss:// with the runtime's tunnel", `wss://localhost:${wssPort}/mqtt`, undefined],
      ["wss:// with the nodeHttpProxy tunnel", `wss://localhost:${wssPort}/mqtt`, nodeHttpProxy],
    ] as const;
    for (const [name, url, tunnel] of cases) {
      await t.step(`carries MQTT over ${name}`, async () => {
        const before = await proxy.connects();
        const connection = await websocketViaProxy({
          proxy: `https://127.0.0.1:${front.port}`,
          proxyTls: { caCerts: [certs.pem.caCert] },
          url,
          tls: { caCerts: [certs.pem.caCert] },
          tunnel,
        }).open();
        try {
          const exchange = await runExchange(connection, {
            clientId: "wss-https",
            via: "readable",
          });
          assert.deepEqual(exchange.read, [CONNACK, PUBACK]);
        } finally {
          await connection.close();
        }
        assert.equal(await proxy.connects(), before + 1);
      });
    }
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
