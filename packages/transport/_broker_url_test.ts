import assert from "node:assert/strict";
import { parseBrokerUrl } from "./_broker_url.ts";

Deno.test("parseBrokerUrl() fills in the default port of each scheme", () => {
  const cases: [string, string, number][] = [
    ["mqtt://broker", "tcp", 1883],
    ["tcp://broker", "tcp", 1883],
    ["mqtts://broker", "tls", 8883],
    ["tls://broker", "tls", 8883],
    ["ws://broker/mqtt", "websocket", 80],
    ["wss://broker/mqtt", "websocket", 443],
  ];
  for (const [url, kind, port] of cases) {
    const parsed = parseBrokerUrl(url);
    assert.deepEqual([parsed.kind, parsed.hostname, parsed.port], [kind, "broker", port], url);
  }
});

Deno.test("parseBrokerUrl() keeps an explicit port and unwraps IPv6 literals", () => {
  const parsed = parseBrokerUrl("mqtts://[::1]:18883");
  assert.deepEqual([parsed.hostname, parsed.port], ["::1", 18883]);
  assert.equal(parseBrokerUrl("wss://h:8443/mqtt?x=1").url.href, "wss://h:8443/mqtt?x=1");
});

Deno.test("parseBrokerUrl() rejects other schemes and URLs without a host", () => {
  assert.throws(() => parseBrokerUrl("https://broker"), /use mqtt, mqtts, ws, wss, tcp or tls/);
  assert.throws(() => parseBrokerUrl("mqtt://"), /has no host|Invalid URL/);
});
