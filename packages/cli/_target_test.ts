import assert from "node:assert/strict";
import { UsageError } from "./_errors.ts";
import { targetOf } from "./_target.ts";

Deno.test("targetOf() reads topic and credentials from an mqtt:// URL, as mosquitto's -L", () => {
  const target = targetOf({ url: "mqtts://al%40ce:p%3Ass@broker.example:8884/sensors/%2B/t" });
  assert.deepStrictEqual(
    [target.hostname, target.port, target.secure, target.topic, target.username, target.password],
    ["broker.example", 8884, true, "sensors/+/t", "al@ce", "p:ss"],
  );
  assert.equal(target.url(true), "mqtts://broker.example:8884");
});

Deno.test("targetOf() keeps a WebSocket URL's path, and defaults its port", () => {
  const target = targetOf({ url: "wss://user:pw@broker.example/mqtt" });
  assert.deepStrictEqual([target.port, target.secure, target.topic], [443, true, undefined]);
  assert.equal(target.url(true), "wss://broker.example/mqtt");
});

Deno.test("targetOf() builds the URL from -h and -p; 8883 means TLS", () => {
  assert.equal(targetOf({}).url(false), "mqtt://localhost:1883");
  assert.equal(targetOf({}).url(true), "mqtts://localhost:8883");
  assert.equal(targetOf({ host: "::1", port: "1884" }).url(false), "mqtt://[::1]:1884");
  assert.equal(targetOf({ port: "8883" }).secure, true);
});

Deno.test("targetOf() refuses other schemes, URLs that do not parse and bad ports", () => {
  assert.throws(() => targetOf({ url: "http://x/t" }), new UsageError("unsupported URL scheme."));
  assert.throws(
    () => targetOf({ url: "not a url" }),
    new UsageError('Invalid URL for -L argument specified: "not a url".'),
  );
  assert.throws(() => targetOf({ port: "0" }), new UsageError("Invalid port given: 0"));
});
