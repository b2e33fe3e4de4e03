/**
 * The agent's examples run to completion: connection_sharing.ts on its embedded broker and
 * on mosquitto through `--url`; mutual_auth.ts starts its own mosquitto.
 */
import assert from "node:assert/strict";
import { MqttClient } from "@tern/agent";
import { startBroker } from "./support/broker.ts";
import { generateCertificates } from "./support/certs.ts";
import { runExample, startExample } from "./support/run_example.ts";

const connectionSharing = new URL("../examples/connection_sharing.ts", import.meta.url);
const mutualAuth = new URL("../examples/mutual_auth.ts", import.meta.url);

for (const mqtt of ["5", "4"]) {
  Deno.test(`examples/connection_sharing.ts (MQTT ${mqtt}) gets every echo from its embedded broker`, async () => {
    const { code, stdout, stderr } = await runExample(connectionSharing, {
      args: ["--mqtt", mqtt],
    });
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /Connected to the embedded broker/);
    assert.match(
      stdout,
      /120\/120 echoes on one connection over 1 loop\(s\); operations left incomplete: 0/,
    );
  });

  Deno.test(`examples/connection_sharing.ts (MQTT ${mqtt}) gets every echo from mosquitto with --url`, async () => {
    await using broker = await startBroker();
    const { code, stdout, stderr } = await runExample(connectionSharing, {
      args: ["--mqtt", mqtt, "--url", broker.url],
    });
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, new RegExp(`Connected to ${broker.url}`));
    assert.match(
      stdout,
      /120\/120 echoes on one connection over 1 loop\(s\); operations left incomplete: 0/,
    );
  });
}

Deno.test("examples/connection_sharing.ts runs over mutual TLS, survives a broker restart mid-loop and ends on the terminate command", async () => {
  const certificates = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates });
    await using demo = startExample(connectionSharing, {
      args: [
        ...["--url", `mqtts://localhost:${broker.mtlsPort}`, "--ca", certificates.caCert],
        ...["--cert", certificates.clientCert, "--key", certificates.clientKey],
        ...["--tasks", "4", "--rounds", "5", "--loops", "0", "--echo-timeout-ms", "2000"],
      ],
    });
    await demo.waitFor(/^Loop 1 done/);
    // Loop 2 is under way: the broker goes down and comes back without the session.
    await broker.kill();
    await broker.restart();
    await demo.waitFor(/^Loop 4 done/);
    const commander = new MqttClient({ url: broker.url, clientId: "terminator", reconnect: false });
    await commander.start();
    await commander.publish("demo/agent/terminate", "stop", { qos: 1 });
    await commander.stop();
    const { code, stdout, stderr } = await demo.done;
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /Terminate command received/);
    assert.equal(stdout.match(/new session: resubscribing/g)?.length, 2, stdout);
    assert.match(stdout, /^Disconnected: /m);
    const [, received, expected] = stdout.match(/(\d+)\/(\d+) echoes on one connection/)!;
    assert.equal(received, expected);
    assert.ok(Number(expected) >= 4 * 5 * 4);
  } finally {
    await Deno.remove(certificates.dir, { recursive: true });
  }
});

Deno.test("examples/mutual_auth.ts loops over mutual TLS: three times five echoes", async () => {
  const { code, stdout, stderr } = await runExample(mutualAuth, { args: ["--delay-ms", "100"] });
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /Connected over mutual TLS/);
  assert.equal(stdout.match(/^Unsubscribed from /gm)?.length, 3);
  assert.match(stdout, /15\/15 echoes received over 3 loop\(s\)/);
});

Deno.test("examples/mutual_auth.ts survives a broker restart in the middle of a loop", async () => {
  const certificates = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates });
    await using demo = startExample(mutualAuth, {
      args: [
        ...["--url", `mqtts://localhost:${broker.mtlsPort}`, "--ca", certificates.caCert],
        ...["--cert", certificates.clientCert, "--key", certificates.clientKey],
        ...["--loops", "3", "--delay-ms", "100", "--echo-timeout-ms", "2000"],
      ],
    });
    await demo.waitFor(/^Received "Hello World! loop 2 message 2"/);
    await broker.kill();
    await broker.restart();
    const { code, stdout, stderr } = await demo.done;
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /Connection lost: .*; reconnecting/);
    assert.match(stdout, /Disconnected \(loop 2: 5\/5 echoes\)/);
    assert.match(stdout, /15\/15 echoes received over 3 loop\(s\)/);
  } finally {
    await Deno.remove(certificates.dir, { recursive: true });
  }
});

Deno.test("examples/mutual_auth.ts retries with backoff, then fails, with a certificate the broker does not trust", async () => {
  const certificates = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates });
    const { code, stdout } = await runExample(mutualAuth, {
      args: [
        ...["--url", `mqtts://localhost:${broker.mtlsPort}`, "--ca", certificates.caCert],
        ...["--cert", certificates.otherClientCert, "--key", certificates.otherClientKey],
        ...["--max-attempts", "2", "--loops", "1"],
      ],
    });
    assert.equal(code, 1);
    assert.match(stdout, /Attempt 1 failed .*; retrying in \d+ ms/);
    assert.match(stdout, /0\/5 echoes received over 1 loop\(s\)/);
  } finally {
    await Deno.remove(certificates.dir, { recursive: true });
  }
});
