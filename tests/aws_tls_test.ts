/**
 * The AWS IoT builders' TLS settings reach a real TLS listener: a `node:tls` server (Deno's
 * own listener cannot ask for client certificates) that records the ALPN protocol, the
 * client certificate and the server name each client presented.
 */
import assert from "node:assert/strict";
import tlsServer from "node:tls";
import {
  customAuthorizerOptions,
  type IotClientOptions,
  iotTransport,
  mtlsOptions,
  mtlsOptionsFromFiles,
} from "@tern/aws";
import { generateCertificates, type TestCertificates } from "./support/certs.ts";
// Lives with the transport tests; shared here rather than duplicated.
import { startTinyproxy } from "../packages/transport/testdata/tinyproxy.ts";

interface Handshake {
  alpn: string | false | null;
  clientCommonName: string | undefined;
  authorized: boolean;
  serverName: string | false;
}

/** A TLS listener offering both AWS IoT ALPN protocols; records every handshake. */
async function startRecordingListener(certs: TestCertificates) {
  const handshakes: Handshake[] = [];
  const waiting: ((handshake: Handshake) => void)[] = [];
  const sockets = new Set<tlsServer.TLSSocket>();
  const server = tlsServer.createServer({
    cert: certs.pem.serverCert,
    key: certs.pem.serverKey,
    ca: [certs.pem.caCert],
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: ["x-amzn-mqtt-ca", "mqtt"],
  }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const peer = socket.getPeerCertificate();
    const handshake = {
      alpn: socket.alpnProtocol,
      // @types/node (pulled in by npm:mqtt) types CN as string | string[].
      clientCommonName: peer && "subject" in peer ? [peer.subject?.CN].flat()[0] : undefined,
      authorized: socket.authorized,
      serverName: (socket as unknown as { servername: string | false }).servername,
    };
    const waiter = waiting.shift();
    if (waiter) waiter(handshake);
    else handshakes.push(handshake);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    /** The next handshake the server completes (or has completed and not yet handed out). */
    nextHandshake(): Promise<Handshake> {
      const done = handshakes.shift();
      return done ? Promise.resolve(done) : new Promise((resolve) => waiting.push(resolve));
    },
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The builder's options, aimed at the local listener's port instead of the AWS one. */
function atPort(options: IotClientOptions, port: number): IotClientOptions {
  const url = new URL(options.url);
  url.port = String(port);
  return { ...options, url: url.href };
}

async function connectOnce(options: IotClientOptions) {
  const connection = await iotTransport(options).open();
  const alpnProtocol = (connection as { alpnProtocol?: string | null }).alpnProtocol;
  await connection.close();
  return alpnProtocol;
}

Deno.test("AWS IoT builders' ALPN, client certificate and SNI reach a TLS listener", async (t) => {
  const certs = await generateCertificates();
  try {
    await using listener = await startRecordingListener(certs);

    await t.step(
      "mutual TLS on 443 offers x-amzn-mqtt-ca and presents the device certificate",
      async () => {
        const options = mtlsOptions({
          endpoint: "localhost",
          clientId: "device-1",
          cert: certs.pem.clientCert,
          key: certs.pem.clientKey,
          caCerts: [certs.pem.caCert],
          port: 443,
        });
        assert.equal(await connectOnce(atPort(options, listener.port)), "x-amzn-mqtt-ca");
        assert.deepEqual(await listener.nextHandshake(), {
          alpn: "x-amzn-mqtt-ca",
          clientCommonName: "client",
          authorized: true,
          serverName: "localhost",
        });
      },
    );

    await t.step(
      "mutual TLS from files on 8883 presents the certificate without ALPN",
      async () => {
        const options = await mtlsOptionsFromFiles({
          endpoint: "localhost",
          clientId: "device-1",
          certFile: certs.clientCert,
          keyFile: certs.clientKey,
          caFile: certs.caCert,
        });
        assert.equal(await connectOnce(atPort(options, listener.port)), null);
        assert.deepEqual(await listener.nextHandshake(), {
          alpn: false,
          clientCommonName: "client",
          authorized: true,
          serverName: "localhost",
        });
      },
    );

    await t.step("a custom authorizer offers ALPN mqtt and no client certificate", async () => {
      const options = customAuthorizerOptions({
        endpoint: "localhost",
        clientId: "device-1",
        authorizerName: "auth",
        caCerts: [certs.pem.caCert],
      });
      assert.equal(await connectOnce(atPort(options, listener.port)), "mqtt");
      assert.deepEqual(await listener.nextHandshake(), {
        alpn: "mqtt",
        clientCommonName: undefined,
        authorized: false,
        serverName: "localhost",
      });
    });

    await t.step("the proxy option tunnels the TLS connection through an HTTP proxy", async () => {
      await using proxy = await startTinyproxy({
        credentials: { user: "dev", password: "secret" },
      });
      const options = customAuthorizerOptions({
        endpoint: "localhost",
        clientId: "device-1",
        caCerts: [certs.pem.caCert],
        proxy: proxy.url,
      });
      assert.equal(await connectOnce(atPort(options, listener.port)), "mqtt");
      assert.deepEqual(await listener.nextHandshake(), {
        alpn: "mqtt",
        clientCommonName: undefined,
        authorized: false,
        serverName: "localhost",
      });
      assert.equal(await proxy.connects(), 1);
    });

    await t.step(
      "mutual TLS on 443 goes through the proxy with its certificate and ALPN",
      async () => {
        await using proxy = await startTinyproxy();
        const options = mtlsOptions({
          endpoint: "localhost",
          clientId: "device-1",
          cert: certs.pem.clientCert,
          key: certs.pem.clientKey,
          caCerts: [certs.pem.caCert],
          port: 443,
          proxy: proxy.url,
        });
        assert.equal(await connectOnce(atPort(options, listener.port)), "x-amzn-mqtt-ca");
        assert.deepEqual(await listener.nextHandshake(), {
          alpn: "x-amzn-mqtt-ca",
          clientCommonName: "client",
          authorized: true,
          serverName: "localhost",
        });
        assert.equal(await proxy.connects(), 1);
      },
    );
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
