/**
 * The SigV4 WebSocket builder, through `iotTransport`, signs a fresh URL before every
 * connection attempt. A local stand-in for the IoT gateway records each upgrade request
 * and verifies its signature with an independent SigV4 implementation on node:crypto.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { MqttClient } from "@tern/agent";
import {
  type AwsCredentials,
  type IotClientOptions,
  iotTransport,
  toMqttClientOptions,
  websocketSigV4Options,
} from "@tern/aws";
import { startConnackWebSocketServer } from "./support/connack_server.ts";
import { startTinyproxy } from "../packages/transport/testdata/tinyproxy.ts";

/** Recomputes the IoT SigV4 signature of a presigned `/mqtt` URL, as the gateway would. */
function expectedSignature(url: URL, host: string, secret: string): string {
  const params = [...url.searchParams].filter(([name]) =>
    name !== "X-Amz-Signature" && name !== "X-Amz-Security-Token"
  );
  const enc = (text: string) =>
    encodeURIComponent(text).replace(
      /[!'()*]/g,
      (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
    );
  const query = params.map(([k, v]) => `${enc(k)}=${enc(v)}`).sort().join("&");
  const canonical = `GET\n/mqtt\n${query}\nhost:${host}\n\nhost\n` +
    createHash("sha256").update("").digest("hex");
  const [dateStamp, region, service] = url.searchParams.get("X-Amz-Credential")!.split("/").slice(
    1,
  );
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    url.searchParams.get("X-Amz-Date"),
    `${dateStamp}/${region}/${service}/aws4_request`,
    createHash("sha256").update(canonical).digest("hex"),
  ].join("\n");
  let key: Uint8Array = new TextEncoder().encode("AWS4" + secret);
  for (const part of [dateStamp, region, service, "aws4_request"]) {
    key = createHmac("sha256", key).update(part).digest();
  }
  return createHmac("sha256", key).update(stringToSign).digest("hex");
}

/**
 * Runs an MqttClient on `iot` until its second connection succeeds (the server drops the
 * first), then stops it. Only the socket address changes: IoT listens on
 * wss://<endpoint>:443, these tests on ws://127.0.0.1:<port>.
 */
async function connectTwice(iot: IotClientOptions, port: number): Promise<void> {
  const local: IotClientOptions = {
    ...iot,
    connectOptionsProvider: async (context) => {
      const { url } = await iot.connectOptionsProvider!(context);
      return { url: url!.replace("wss://localhost/", `ws://127.0.0.1:${port}/`) };
    },
  };
  const client = new MqttClient({
    ...toMqttClientOptions(local),
    reconnect: { nextDelay: () => 0 },
  });
  const successes = Promise.withResolvers<void>();
  let count = 0;
  client.on("connectionsuccess", () => {
    if (++count === 2) successes.resolve();
  });
  try {
    await client.start();
    await successes.promise;
  } finally {
    await client.stop();
  }
}

Deno.test("the SigV4 WebSocket options sign a new URL with fresh credentials for every connection", async () => {
  const upgrades: { url: URL; protocol: string | null }[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      upgrades.push({
        url: new URL(request.url),
        protocol: request.headers.get("sec-websocket-protocol"),
      });
      const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "mqtt" });
      socket.onerror = () => {};
      return response;
    },
  );
  const issued: AwsCredentials[] = [
    { accessKeyId: "AKIDFIRST", secretAccessKey: "first-secret", sessionToken: "token/1+" },
    { accessKeyId: "AKIDSECOND", secretAccessKey: "second-secret", sessionToken: "token/2+" },
  ];
  const times = [new Date("2026-11-26T06:00:00Z"), new Date("2026-11-26T07:00:00Z")];
  let attempt = 0;
  const options = websocketSigV4Options({
    endpoint: "localhost",
    region: "us-east-1",
    clientId: "device-1",
    credentials: () => Promise.resolve(issued[attempt]),
    now: () => times[attempt],
  });
  // Only the socket address changes: IoT listens on wss://<endpoint>:443, this test on ws://.
  const local: IotClientOptions = {
    ...options,
    connectOptionsProvider: async (context) => {
      const { url } = await options.connectOptionsProvider!(context);
      return { url: url!.replace("wss://localhost/", `ws://127.0.0.1:${server.addr.port}/`) };
    },
  };
  const transport = iotTransport(local);
  for (attempt = 0; attempt < 2; attempt++) {
    const connection = await transport.open();
    await connection.close();
  }
  assert.equal(upgrades.length, 2);
  for (const [i, { url, protocol }] of upgrades.entries()) {
    assert.equal(protocol, "mqtt");
    assert.equal(url.pathname, "/mqtt");
    assert.equal(
      url.searchParams.get("X-Amz-Credential"),
      `${issued[i].accessKeyId}/${
        times[i].toISOString().slice(0, 10).replaceAll("-", "")
      }/us-east-1/iotdevicegateway/aws4_request`,
    );
    assert.equal(url.searchParams.get("X-Amz-Security-Token"), issued[i].sessionToken);
    assert.equal(
      url.searchParams.get("X-Amz-Signature"),
      expectedSignature(url, "localhost", issued[i].secretAccessKey),
    );
  }
});

Deno.test("MqttClient signs a new URL with fresh credentials before every reconnect", async () => {
  await using server = startConnackWebSocketServer({
    // Drop the first connection, as IoT Core does when a WebSocket reaches 24 hours.
    afterConnack: (socket, connection) => {
      if (connection === 1) socket.close();
    },
  });
  const { connects } = server;
  const issued: AwsCredentials[] = [
    { accessKeyId: "AKIDONE", secretAccessKey: "one", sessionToken: "t1" },
    { accessKeyId: "AKIDTWO", secretAccessKey: "two", sessionToken: "t2" },
  ];
  let fetched = 0;
  const iot = websocketSigV4Options({
    endpoint: "localhost",
    region: "us-east-1",
    clientId: "device-1",
    credentials: () => Promise.resolve(issued[fetched++]),
    now: () => new Date("2026-11-26T06:00:00Z"),
  });
  await connectTwice(iot, server.port);
  await server.closed();
  const upgrades = server.upgrades.map(({ url }) => url);
  assert.equal(upgrades.length, 2);
  assert.deepEqual(
    upgrades.map((url) => url.searchParams.get("X-Amz-Credential")!.split("/")[0]),
    ["AKIDONE", "AKIDTWO"],
  );
  for (const [i, url] of upgrades.entries()) {
    assert.equal(url.searchParams.get("X-Amz-Security-Token"), issued[i].sessionToken);
    assert.equal(
      url.searchParams.get("X-Amz-Signature"),
      expectedSignature(url, "localhost", issued[i].secretAccessKey),
    );
  }
  assert.deepEqual(connects.map((c) => c.clientId), ["device-1", "device-1"]);
});

Deno.test("MqttClient reaches the SigV4 WebSocket endpoint through an HTTP proxy, re-signing on reconnect", async () => {
  await using server = startConnackWebSocketServer({
    afterConnack: (socket, connection) => {
      if (connection === 1) socket.close();
    },
  });
  await using proxy = await startTinyproxy({ credentials: { user: "tern", password: "s3cret" } });
  const issued: AwsCredentials[] = [
    { accessKeyId: "AKIDVIAONE", secretAccessKey: "via-one", sessionToken: "p1" },
    { accessKeyId: "AKIDVIATWO", secretAccessKey: "via-two", sessionToken: "p2" },
  ];
  let fetched = 0;
  const iot = websocketSigV4Options({
    endpoint: "localhost",
    region: "us-east-1",
    clientId: "device-1",
    credentials: () => Promise.resolve(issued[fetched++]),
    now: () => new Date("2026-11-26T06:00:00Z"),
    proxy: proxy.url,
  });
  assert.equal(iot.proxy, proxy.url);
  await connectTwice(iot, server.port);
  await server.closed();
  assert.equal(await proxy.connects(), 2);
  const upgrades = server.upgrades.map(({ url }) => url);
  assert.deepEqual(
    upgrades.map((url) => url.searchParams.get("X-Amz-Credential")!.split("/")[0]),
    ["AKIDVIAONE", "AKIDVIATWO"],
  );
  for (const [i, url] of upgrades.entries()) {
    assert.equal(url.pathname, "/mqtt");
    assert.equal(url.searchParams.get("X-Amz-Security-Token"), issued[i].sessionToken);
    assert.equal(
      url.searchParams.get("X-Amz-Signature"),
      expectedSignature(url, "localhost", issued[i].secretAccessKey),
    );
  }
  assert.deepEqual(server.connects.map((c) => c.clientId), ["device-1", "device-1"]);
});
