/**
 * `@tern/testing`: what a user needs to test code that uses Tern without a network or a
 * real clock: an in-memory broker that records and misbehaves on request
 * ({@linkcode createTestBroker}), a clock the test moves ({@linkcode createTestClock}),
 * and a fault proxy for tests against real brokers.
 *
 * @example A reconnect test that takes milliseconds
 * ```ts
 * import { MqttClient } from "@tern/agent";
 * import { createTestBroker, createTestClock } from "@tern/testing";
 * import assert from "node:assert/strict";
 *
 * await using broker = createTestBroker();
 * const clock = createTestClock();
 * const client = new MqttClient({ transport: broker.connect(), clientId: "app", clock });
 * await client.start();
 * await broker.drop("app");
 * await clock.advance(120_000); // the longest reconnect delay
 * assert.equal(broker.received.filter(({ packet }) => packet.type === "connect").length, 2);
 * await client.stop();
 * ```
 *
 * @module
 */
export * from "./test_broker.ts";
export * from "./test_clock.ts";
export * from "./fault_proxy.ts";
