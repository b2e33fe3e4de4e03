/**
 * The agent's examples run to completion: connection_sharing.ts on its embedded broker and
 * on mosquitto through `--url`; mutual_auth.ts starts its own mosquitto.
 */
import assert from "node:assert/strict";
import { startBroker } from "./support/broker.ts";
import { generateCertificates } from "./support/certs.ts";

async function runExample(path: string, args: string[] = []) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(path, import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

for (const mqtt of ["5", "4"]) {
  Deno.test(`examples/connection_sharing.ts (MQTT ${mqtt}) gets every echo from its embedded broker`, async () => {
    const { code, stdout, stderr } = await runExample("../examples/connection_sharing.ts", [
      "--mqtt",
      mqtt,
    ]);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /Connected to the embedded broker/);
    assert.match(stdout, /120\/120 echoes on one connection; operations left incomplete: 0/);
  });

  Deno.test(`examples/connection_sharing.ts (MQTT ${mqtt}) gets every echo from mosquitto with --url`, async () => {
    await using broker = await startBroker();
    const { code, stdout, stderr } = await runExample("../examples/connection_sharing.ts", [
      "--mqtt",
      mqtt,
      "--url",
      broker.url,
    ]);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, new RegExp(`Connected to ${broker.url}`));
    assert.match(stdout, /120\/120 echoes on one connection; operations left incomplete: 0/);
  });
}

Deno.test("examples/mutual_auth.ts connects over mutual TLS and gets five echoes", async () => {
  const { code, stdout, stderr } = await runExample("../examples/mutual_auth.ts");
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /Connected over mutual TLS/);
  assert.match(stdout, /5\/5 echoes received/);
});

Deno.test("examples/mutual_auth.ts retries with backoff, then fails, with a certificate the broker does not trust", async () => {
  const certificates = await generateCertificates();
  try {
    await using broker = await startBroker({ certificates });
    const { code, stdout } = await runExample("../examples/mutual_auth.ts", [
      "--url",
      `mqtts://localhost:${broker.mtlsPort}`,
      "--ca",
      certificates.caCert,
      "--cert",
      certificates.otherClientCert,
      "--key",
      certificates.otherClientKey,
      "--max-attempts",
      "2",
    ]);
    assert.equal(code, 1);
    assert.match(stdout, /Attempt 1 failed .*; retrying in \d+ ms/);
    assert.match(stdout, /0\/5 echoes received/);
  } finally {
    await Deno.remove(certificates.dir, { recursive: true });
  }
});
