/**
 * `examples/aws_iot.ts`, the mutual-auth demo, runs to completion against a local
 * mosquitto that requires a client certificate, with the AWS IoT Core limits on.
 */
import assert from "node:assert/strict";
import { startBroker } from "./support/broker.ts";
import { generateCertificates } from "./support/certs.ts";
import { runExample } from "./support/run_example.ts";

const EXAMPLE = new URL("../examples/aws_iot.ts", import.meta.url);
// Blanks the settings a developer may have exported, so that only the arguments count.
const env = { AWS_IOT_ENDPOINT: "", AWS_IOT_CERT: "", AWS_IOT_KEY: "" };

Deno.test("examples/aws_iot.ts echoes its publishes over mutual TLS on a local broker", async () => {
  const certs = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates: certs });
    const { code, stdout, stderr } = await runExample(EXAMPLE, {
      env,
      args: [
        "--endpoint",
        "localhost",
        "--port",
        String(broker.mtlsPort),
        "--cert",
        certs.clientCert,
        "--key",
        certs.clientKey,
        "--ca",
        certs.caCert,
        "--client-id",
        "thing-1",
      ],
    });
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.deepStrictEqual(stdout.trim().split("\n"), [
      "Connected to localhost (MQTT 5)",
      "Subscribed to thing-1/example/topic, granted QoS 1",
      'Published "Hello World! 1" (PUBACK reason 0), received it back on thing-1/example/topic at QoS 1',
      'Published "Hello World! 2" (PUBACK reason 0), received it back on thing-1/example/topic at QoS 1',
      'Published "Hello World! 3" (PUBACK reason 0), received it back on thing-1/example/topic at QoS 1',
      "Refused before sending: Cannot publish: QoS 2 requested, over the AWS IoT Core limit maximumQoS of 1",
      "Unsubscribed from thing-1/example/topic; demo completed successfully",
    ]);
    // The broker saw a certificate-authenticated client under the demo's client id.
    assert.match(await broker.log(), /New client connected from .* as thing-1/);
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("examples/aws_iot.ts explains which settings it needs when none are given", async () => {
  const { code, stderr } = await runExample(EXAMPLE, { env });
  assert.equal(code, 2);
  assert.equal(
    stderr.trim(),
    "Set AWS_IOT_ENDPOINT, AWS_IOT_CERT and AWS_IOT_KEY (or --endpoint, --cert, --key)",
  );
});
