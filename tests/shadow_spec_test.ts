/**
 * Every rule of the shadow specification (specs/aws_iot.md §1.2–1.10, including the §1.9
 * worked example byte for byte) against the local shadow service over a real mosquitto: the
 * same cases the engine's unit tests run, published by a separate MQTT connection; the
 * service and the tester both use `@tern/agent`'s MqttClient.
 */
import assert from "node:assert/strict";
import { ShadowService } from "@tern/shadow";
import { SPEC_CASES } from "../packages/shadow/testdata/spec_cases.ts";
import { startBroker } from "./support/broker.ts";
import { agentConnector } from "./shadow_support.ts";

const RESPONSE = /\/(accepted|rejected|delta|documents)$/;
const encoder = new TextEncoder();

Deno.test("the local shadow service follows every rule of the spec over mosquitto", async (t) => {
  await using broker = await startBroker();
  await using tester = await agentConnector.connect(broker.url);
  const received: { topic: string; payload: unknown }[] = [];
  const sentinels = new Map<string, () => void>();
  await tester.subscribe("$aws/things/+/shadow/#", ({ topic, payload }) => {
    if (!RESPONSE.test(topic)) return;
    const text = new TextDecoder().decode(payload);
    if (topic.startsWith("$aws/things/sentinel/")) {
      sentinels.get(JSON.parse(text).clientToken)?.();
      return;
    }
    received.push({ topic, payload: JSON.parse(text) });
  }, { qos: 1 });

  let sentinelCount = 0;
  // The service handles requests in arrival order and publishes responses in order, so once
  // the answer to a later request on another thing arrives, every response to this one has.
  async function flush(): Promise<void> {
    const token = `s${sentinelCount++}`;
    const answered = new Promise<void>((resolve) => sentinels.set(token, resolve));
    await tester.publish(
      "$aws/things/sentinel/shadow/get",
      encoder.encode(JSON.stringify({ clientToken: token })),
      { qos: 1 },
    );
    await answered;
    sentinels.delete(token);
  }

  for (const specCase of SPEC_CASES) {
    await t.step(specCase.name, async () => {
      let now = 0;
      await using connection = await agentConnector.connect(broker.url);
      await using _service = await ShadowService.start(connection, { now: () => now });
      for (const [index, step] of specCase.steps.entries()) {
        now = step.now;
        received.length = 0;
        const payload = typeof step.payload === "string"
          ? encoder.encode(step.payload)
          : step.payload;
        await tester.publish(step.topic, payload, { qos: 1 });
        await flush();
        // §1.10 cases publish to response topics themselves; the tester hears those too.
        const responses = received.filter((message) => message.topic !== step.topic);
        assert.deepStrictEqual(responses, step.expect, `step ${index + 1}: ${step.topic}`);
      }
    });
  }
});
