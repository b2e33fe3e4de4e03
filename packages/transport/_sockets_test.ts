import assert from "node:assert/strict";
import { currentRuntime } from "./_runtime.ts";
import { checkPlan, socketTransport } from "./_sockets.ts";

Deno.test("currentRuntime() tells Deno by Deno.connect", () => {
  assert.equal(currentRuntime(), "deno");
});

Deno.test("checkPlan() refuses what Workers sockets cannot do, when the transport is made", () => {
  const plan = { hostname: "broker.example.com", port: 8883 };
  assert.doesNotThrow(() => checkPlan("workerd", { ...plan, tls: {} }));
  assert.throws(
    () => checkPlan("workerd", { ...plan, tls: { caCerts: ["-----BEGIN CERTIFICATE-----"] } }),
    {
      name: "TypeError",
      message: "Cannot create a TLS transport: Cloudflare Workers sockets cannot take caCerts",
    },
  );
  assert.throws(
    () => checkPlan("workerd", { ...plan, proxy: "http://127.0.0.1:3128" }),
    /Cloudflare Workers sockets cannot take proxy$/,
  );
});

Deno.test("checkPlan() refuses TCP where there is only WebSocket", () => {
  assert.throws(() => checkPlan("web", { hostname: "broker.example.com", port: 1883 }), {
    name: "TypeError",
    message:
      "Cannot create a TCP transport: this runtime has no TCP sockets, only WebSocket; use a ws:// or wss:// URL",
  });
});

Deno.test("socketTransport() checks its options before loading any adapter", () => {
  assert.throws(() => socketTransport({ hostname: "", port: 1883 }), /hostname must be/);
  assert.throws(() => socketTransport({ hostname: "h", port: 1883, connectTimeoutMs: -1 }), {
    name: "RangeError",
  });
  assert.throws(() => socketTransport({ hostname: "h", port: 1, tls: { cert: "x" } }), {
    message: "Cannot create TLS transport: cert and key must be given together for mutual TLS",
  });
});
