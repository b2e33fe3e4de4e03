import assert from "node:assert/strict";
import { Timers } from "./_timers.ts";

Deno.test("next() is the earliest deadline, and undefined when no timer is set", () => {
  const timers = new Timers();
  assert.equal(timers.next(), undefined);
  timers.set("connack", 300);
  timers.set("throttle", 200);
  assert.equal(timers.next(), 200);
  timers.set("throttle", undefined);
  assert.equal(timers.next(), 300);
  timers.stopAll();
  assert.equal(timers.next(), undefined);
  assert.equal(timers.running("connack"), false);
});

Deno.test("keep-alive counts from the last packet sent", () => {
  const timers = new Timers();
  timers.startKeepAlive(0, 1000);
  assert.equal(timers.next(), 1000);
  timers.sent(400);
  assert.equal(timers.next(), 1400);
  assert.equal(timers.due(1399), undefined);
  assert.equal(timers.due(1400), "keepAlive");
});

Deno.test("keep-alive 0 sets no timer, and sent() then starts none", () => {
  const timers = new Timers();
  timers.startKeepAlive(0, 0);
  timers.sent(5);
  assert.equal(timers.next(), undefined);
  assert.equal(timers.due(1_000_000), undefined);
});

Deno.test("an outstanding PINGREQ holds keep-alive back until its PINGRESP timeout", () => {
  const timers = new Timers();
  timers.startKeepAlive(0, 1000, 5000);
  assert.equal(timers.pingTimeoutMs, 5000);
  timers.pingSent(1000);
  timers.sent(1000);
  // The keep-alive deadline (2000) waits: only the PINGRESP deadline counts.
  assert.equal(timers.next(), 6000);
  assert.equal(timers.due(2000), undefined);
  assert.equal(timers.due(6000), "pingResponse");
  timers.set("pingResponse", undefined);
  assert.equal(timers.next(), 2000);
});

Deno.test("the ping timeout defaults to half the keep-alive, at most 30 s", () => {
  const timers = new Timers();
  timers.startKeepAlive(0, 10_000);
  assert.equal(timers.pingTimeoutMs, 5000);
  timers.startKeepAlive(0, 120_000);
  assert.equal(timers.pingTimeoutMs, 30_000);
});

Deno.test("due() reports the CONNACK timeout first and clears a throttle that ran out", () => {
  const timers = new Timers();
  timers.set("connack", 100);
  timers.set("throttle", 50);
  assert.equal(timers.due(60), undefined);
  assert.equal(timers.running("throttle"), false);
  assert.equal(timers.expired("connack", 99), false);
  assert.equal(timers.due(100), "connack");
});
