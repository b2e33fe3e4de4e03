import assert from "node:assert/strict";
import type { MqttClientOptions } from "@tern/agent";
import { codecWasmBytes } from "@tern/codec";
import { customAuthorizerOptions } from "./custom_authorizer.ts";
import { iotCoreLimits } from "./iot_core_limits.ts";
import { mtlsOptions } from "./mtls.ts";
import { websocketSigV4Options } from "./websocket_sigv4.ts";
import { iotTransport, toMqttClientOptions } from "./to_client_options.ts";

const endpoint = "abc123-ats.iot.us-east-1.amazonaws.com";
const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

Deno.test("toMqttClientOptions() carries the CONNECT fields and limits and builds the transport", () => {
  const iot = customAuthorizerOptions({
    endpoint,
    clientId: "device-1",
    authorizerName: "auth",
    password: "pw",
  });
  const { transport, ...rest } = toMqttClientOptions(iot);
  assert.equal(typeof transport.open, "function");
  assert.deepEqual(rest, {
    clientId: "device-1",
    username: "?x-amz-customauthorizer-name=auth",
    password: new TextEncoder().encode("pw"),
    limits: iotCoreLimits,
  });
  // The result spreads into the client's own options.
  const options: MqttClientOptions = { ...toMqttClientOptions(iot), keepAlive: 1200 };
  assert.equal(options.clientId, "device-1");
});

Deno.test("Every builder hands a precompiled codec module on to the client's options", () => {
  const wasmModule = new WebAssembly.Module(codecWasmBytes());
  const built = [
    mtlsOptions({ endpoint, clientId: "device-1", cert, key, wasmModule }),
    customAuthorizerOptions({ endpoint, clientId: "device-1", authorizerName: "a", wasmModule }),
    websocketSigV4Options({
      endpoint,
      clientId: "device-1",
      credentials: () => Promise.resolve({ accessKeyId: "AKID", secretAccessKey: "s" }),
      wasmModule,
    }),
  ];
  for (const iot of built) {
    const options: MqttClientOptions = { ...toMqttClientOptions(iot) };
    assert.equal(options.wasmModule, wasmModule);
  }
});

Deno.test("toMqttClientOptions() leaves out what the builder did not set", () => {
  const iot = mtlsOptions({ endpoint, clientId: "device-1", cert, key, limits: false });
  assert.deepEqual(Object.keys(toMqttClientOptions(iot)).sort(), ["clientId", "transport"]);
  assert.equal(toMqttClientOptions(iot).connectOptionsProvider, undefined);
});

Deno.test("toMqttClientOptions() hands the client a provider that signs each attempt anew", async () => {
  let calls = 0;
  const iot = websocketSigV4Options({
    endpoint,
    clientId: "device-1",
    credentials: () => Promise.resolve({ accessKeyId: `AKID${++calls}`, secretAccessKey: "s" }),
  });
  const options = toMqttClientOptions(iot);
  // It fits the client's own option type.
  const clientOptions: MqttClientOptions = { ...options };
  assert.equal(typeof clientOptions.connectOptionsProvider, "function");
  const first = await options.connectOptionsProvider!({ signal: new AbortController().signal });
  const second = await options.connectOptionsProvider!({});
  assert.deepEqual(Object.keys(first), ["transport"]);
  assert.notEqual(first.transport, second.transport);
  assert.equal(calls, 2);
  const controller = new AbortController();
  controller.abort(new Error("client stopped"));
  await assert.rejects(
    options.connectOptionsProvider!({ signal: controller.signal }),
    new Error("client stopped"),
  );
});

Deno.test("iotTransport() refuses what no adapter can do", () => {
  const ws = customAuthorizerOptions({ endpoint, clientId: "d", transport: "websocket" });
  assert.throws(
    () => iotTransport({ ...ws, url: "mqtt://127.0.0.1:1883" }),
    new TypeError(
      'Cannot create the AWS IoT transport: URL must start with mqtts:// or wss://, got "mqtt:"',
    ),
  );
});
