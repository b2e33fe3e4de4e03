import assert from "node:assert/strict";
import { customAuthorizerOptions } from "./custom_authorizer.ts";
import { customAuthUsername } from "./custom_auth_username.ts";
import { iotCoreLimits } from "./iot_core_limits.ts";

const endpoint = "abc123-ats.iot.us-east-1.amazonaws.com";
const signed = {
  authorizerName: "my authorizer",
  tokenKeyName: "token-key",
  tokenValue: "allow&all",
  tokenSignature: "ab+c/d==",
};

Deno.test("customAuthorizerOptions() over MQTT connects to 443 with ALPN mqtt and the parameters in the username", () => {
  const options = customAuthorizerOptions({
    endpoint,
    clientId: "device-1",
    username: "device-1",
    password: "secret",
    ...signed,
  });
  assert.deepEqual(options, {
    url: `mqtts://${endpoint}:443`,
    clientId: "device-1",
    limits: iotCoreLimits,
    username: "device-1?x-amz-customauthorizer-name=my%20authorizer" +
      "&token-key=allow%26all&x-amz-customauthorizer-signature=ab%2Bc%2Fd%3D%3D",
    password: new TextEncoder().encode("secret"),
    alpnProtocols: ["mqtt"],
    serverName: endpoint,
  });
});

Deno.test("customAuthorizerOptions() over WebSocket puts the parameters on the /mqtt URL", () => {
  const options = customAuthorizerOptions({
    endpoint,
    clientId: "device-1",
    username: "device-1",
    transport: "websocket",
    ...signed,
  });
  assert.deepEqual(options, {
    url: `wss://${endpoint}/mqtt?x-amz-customauthorizer-name=my%20authorizer` +
      "&token-key=allow%26all&x-amz-customauthorizer-signature=ab%2Bc%2Fd%3D%3D",
    clientId: "device-1",
    limits: iotCoreLimits,
    username: "device-1",
    websocketProtocols: ["mqtt"],
  });
  const url = new URL(options.url);
  assert.equal(url.searchParams.get("x-amz-customauthorizer-signature"), signed.tokenSignature);
  assert.equal(url.searchParams.get("token-key"), signed.tokenValue);
});

Deno.test("customAuthorizerOptions() with the endpoint's default authorizer sends no query", () => {
  const mqtt = customAuthorizerOptions({ endpoint, clientId: "d", username: "user" });
  assert.equal(mqtt.username, "user");
  const ws = customAuthorizerOptions({ endpoint, clientId: "d", transport: "websocket" });
  assert.equal(ws.url, `wss://${endpoint}/mqtt`);
  assert.equal(ws.username, undefined);
});

Deno.test("customAuthorizerOptions() appends metrics after the authorizer parameters", () => {
  const options = customAuthorizerOptions({
    endpoint,
    clientId: "d",
    authorizerName: "auth",
    metrics: true,
  });
  assert.equal(options.username, "?x-amz-customauthorizer-name=auth&SDK=Tern&Version=0.1.0");
});

Deno.test("customAuthUsername() keeps an already encoded signature and extends an existing query", () => {
  assert.equal(
    customAuthUsername({
      username: "user?tenant=a",
      authorizerName: "auth",
      tokenKeyName: "k",
      tokenValue: "v",
      tokenSignature: "ab%2Bc",
    }),
    "user?tenant=a&x-amz-customauthorizer-name=auth&k=v&x-amz-customauthorizer-signature=ab%2Bc",
  );
});

Deno.test("customAuthUsername() needs token key, value and signature together", () => {
  assert.throws(
    () => customAuthUsername({ authorizerName: "a", tokenKeyName: "k", tokenValue: "v" }),
    new TypeError(
      "Cannot build custom authorizer credentials: tokenKeyName, tokenValue and tokenSignature " +
        "must be given together",
    ),
  );
  assert.throws(() => customAuthUsername({ authorizerName: "" }), TypeError);
});

Deno.test("customAuthorizerOptions() refuses an unknown transport", () => {
  assert.throws(
    () => customAuthorizerOptions({ endpoint, clientId: "d", transport: "http" as "mqtt" }),
    new TypeError(
      'Cannot build custom authorizer options: transport must be "mqtt" or "websocket"',
    ),
  );
});
