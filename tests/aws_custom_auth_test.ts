/**
 * The custom-authorizer credentials built by `customAuthorizerOptions` arrive intact at a
 * broker: a test broker hook (TLS with ALPN `mqtt`, or WebSocket) decodes the CONNECT the
 * real `MqttClient` sends, and parses the username or URL back into authorizer fields, as
 * AWS IoT does before calling the authorizer.
 */
import assert from "node:assert/strict";
import tlsServer from "node:tls";
import { MqttClient } from "@tern/agent";
import type { ConnectPacket } from "@tern/codec";
import { customAuthorizerOptions, type IotClientOptions, toMqttClientOptions } from "@tern/aws";
import { generateCertificates } from "./support/certs.ts";
import { connackHook, startConnackWebSocketServer } from "./support/connack_server.ts";
import { startTinyproxy } from "../packages/transport/testdata/tinyproxy.ts";

const credentials = {
  username: "device-1",
  authorizerName: "fleet authorizer",
  tokenKeyName: "x-device-token",
  tokenValue: "allow all&more=yes",
  tokenSignature: "dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ+/=",
  password: "p4ss/word",
};

/** What IoT Core hands an authorizer, parsed from a query string. */
function authorizerFields(query: string) {
  const params = new URLSearchParams(query);
  return {
    authorizerName: params.get("x-amz-customauthorizer-name"),
    token: params.get(credentials.tokenKeyName),
    signature: params.get("x-amz-customauthorizer-signature"),
    keys: [...params.keys()],
  };
}

const expectedFields = {
  authorizerName: credentials.authorizerName,
  token: credentials.tokenValue,
  signature: credentials.tokenSignature,
  keys: ["x-amz-customauthorizer-name", "x-device-token", "x-amz-customauthorizer-signature"],
};

async function connectAndStop(options: IotClientOptions): Promise<void> {
  const client = new MqttClient({ ...toMqttClientOptions(options), reconnect: false });
  try {
    await client.start();
  } finally {
    await client.stop();
  }
}

Deno.test("a custom authorizer's username, token, signature and password reach the broker over TLS", async () => {
  const certs = await generateCertificates();
  const connects: ConnectPacket[] = [];
  const alpn: (string | false | null)[] = [];
  const sockets = new Set<tlsServer.TLSSocket>();
  const server = tlsServer.createServer({
    cert: certs.pem.serverCert,
    key: certs.pem.serverKey,
    ALPNProtocols: ["mqtt"],
  }, (socket) => {
    sockets.add(socket);
    alpn.push(socket.alpnProtocol);
    socket.on("data", connackHook(connects, (bytes) => socket.write(bytes)));
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const options = customAuthorizerOptions({
      endpoint: "localhost",
      clientId: "device-1",
      caCerts: [certs.pem.caCert],
      ...credentials,
    });
    // IoT Core listens on 443; the test broker on a free port. Everything else is as built.
    await connectAndStop({ ...options, url: `mqtts://localhost:${port}` });

    assert.deepEqual(alpn, ["mqtt"]);
    assert.equal(connects.length, 1);
    const [connect] = connects;
    assert.equal(connect.clientId, "device-1");
    const [user, query] = connect.username!.split("?");
    assert.equal(user, credentials.username);
    assert.deepEqual(authorizerFields(query), expectedFields);
    assert.equal(new TextDecoder().decode(connect.password), credentials.password);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("a custom authorizer over WebSocket carries its fields on the /mqtt URL", async () => {
  await using server = startConnackWebSocketServer();
  const { upgrades, connects } = server;
  const options = customAuthorizerOptions({
    endpoint: "localhost",
    clientId: "device-1",
    transport: "websocket",
    ...credentials,
  });
  const url = options.url.replace("wss://localhost/", `ws://127.0.0.1:${server.port}/`);
  await connectAndStop({ ...options, url });
  await server.closed();

  assert.equal(upgrades.length, 1);
  assert.equal(upgrades[0].protocol, "mqtt");
  assert.equal(upgrades[0].url.pathname, "/mqtt");
  assert.deepEqual(authorizerFields(upgrades[0].url.search), expectedFields);
  assert.equal(connects.length, 1);
  assert.equal(connects[0].username, credentials.username);
  assert.equal(new TextDecoder().decode(connects[0].password), credentials.password);
});

Deno.test("a custom authorizer over WebSocket reaches the server through an HTTP proxy", async () => {
  await using server = startConnackWebSocketServer();
  await using proxy = await startTinyproxy();
  const { upgrades, connects } = server;
  const options = customAuthorizerOptions({
    endpoint: "localhost",
    clientId: "device-1",
    transport: "websocket",
    proxy: proxy.url,
    ...credentials,
  });
  const url = options.url.replace("wss://localhost/", `ws://127.0.0.1:${server.port}/`);
  await connectAndStop({ ...options, url });
  await server.closed();

  assert.equal(await proxy.connects(), 1);
  assert.equal(upgrades.length, 1);
  assert.equal(upgrades[0].protocol, "mqtt");
  assert.deepEqual(authorizerFields(upgrades[0].url.search), expectedFields);
  assert.equal(connects.length, 1);
  assert.equal(connects[0].username, credentials.username);
  assert.equal(new TextDecoder().decode(connects[0].password), credentials.password);
});
