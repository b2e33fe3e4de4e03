import assert from "node:assert/strict";
import { BrokerLimitError } from "@tern/agent";
import { iotCoreLimits } from "./iot_core_limits.ts";
import { mtlsOptions, mtlsOptionsFromFiles } from "./mtls.ts";

const endpoint = "abc123-ats.iot.us-east-1.amazonaws.com";
const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

Deno.test("mtlsOptions() on 8883 offers no ALPN and sends SNI for the endpoint", () => {
  assert.deepEqual(mtlsOptions({ endpoint, clientId: "device-1", cert, key }), {
    url: `mqtts://${endpoint}:8883`,
    clientId: "device-1",
    cert,
    key,
    serverName: endpoint,
    limits: iotCoreLimits,
  });
});

Deno.test("mtlsOptions() on 443 offers exactly the ALPN protocol x-amzn-mqtt-ca", () => {
  const options = mtlsOptions({ endpoint, clientId: "device-1", cert, key, port: 443 });
  assert.equal(options.url, `mqtts://${endpoint}:443`);
  assert.deepEqual(options.alpnProtocols, ["x-amzn-mqtt-ca"]);
});

Deno.test("mtlsOptions() passes CA certificates and the proxy through, and lowercases the endpoint", () => {
  const options = mtlsOptions({
    endpoint: endpoint.toUpperCase(),
    clientId: "device-1",
    cert,
    key,
    caCerts: [cert],
    proxy: "http://user:pw@127.0.0.1:3128",
    limits: false,
  });
  assert.deepEqual(options, {
    url: `mqtts://${endpoint}:8883`,
    clientId: "device-1",
    caCerts: [cert],
    proxy: "http://user:pw@127.0.0.1:3128",
    cert,
    key,
    serverName: endpoint,
  });
});

Deno.test("mtlsOptions() adds SDK metrics to the username only when asked and only for AWS hosts", () => {
  const aws = mtlsOptions({ endpoint, clientId: "d", cert, key, metrics: true });
  assert.equal(aws.username, "?SDK=Tern&Version=0.1.0");
  const custom = mtlsOptions({
    endpoint,
    clientId: "d",
    cert,
    key,
    metrics: { sdk: "MyApp", version: "2.0", platform: "Deno" },
  });
  assert.equal(custom.username, "?SDK=MyApp&Version=2.0&Platform=Deno");
  const local = mtlsOptions({ endpoint: "localhost", clientId: "d", cert, key, metrics: true });
  assert.equal(local.username, undefined);
});

Deno.test("mtlsOptions() refuses bad input before anything is sent", () => {
  assert.throws(
    () => mtlsOptions({ endpoint: `https://${endpoint}`, clientId: "d", cert, key }),
    TypeError,
  );
  assert.throws(
    () => mtlsOptions({ endpoint, clientId: "", cert, key }),
    new TypeError("Cannot build mutual TLS options: clientId must be a non-empty string"),
  );
  assert.throws(
    () => mtlsOptions({ endpoint, clientId: "d", cert: "not pem", key }),
    new TypeError("Cannot build mutual TLS options: cert must be PEM text"),
  );
  assert.throws(
    () => mtlsOptions({ endpoint, clientId: "d", cert, key, port: 70000 }),
    RangeError,
  );
  assert.throws(
    () => mtlsOptions({ endpoint, clientId: "d", cert, key, proxy: "socks5://127.0.0.1:1080" }),
    new TypeError(
      'Cannot build mutual TLS options: proxy must be an http:// or https:// URL, got "socks5://127.0.0.1:1080"',
    ),
  );
  assert.throws(
    () => mtlsOptions({ endpoint, clientId: "x".repeat(129), cert, key }),
    (error: unknown) =>
      error instanceof BrokerLimitError && error.limit === "maxClientIdBytes" &&
      error.message ===
        "Cannot connect: client id is 129 bytes, over the AWS IoT Core limit maxClientIdBytes of 128",
  );
  // With the limits off, a long client id is the broker's business.
  mtlsOptions({ endpoint, clientId: "x".repeat(129), cert, key, limits: false });
});

Deno.test("mtlsOptionsFromFiles() reads the certificate, key and CA bundle", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-aws-" });
  try {
    await Deno.writeTextFile(`${dir}/device.pem.crt`, cert);
    await Deno.writeTextFile(`${dir}/private.pem.key`, key);
    await Deno.writeTextFile(`${dir}/AmazonRootCA1.pem`, cert);
    const options = await mtlsOptionsFromFiles({
      endpoint,
      clientId: "device-1",
      certFile: `${dir}/device.pem.crt`,
      keyFile: `${dir}/private.pem.key`,
      caFile: `${dir}/AmazonRootCA1.pem`,
      port: 443,
    });
    assert.deepEqual(options, {
      ...mtlsOptions({ endpoint, clientId: "device-1", cert, key, port: 443 }),
      caCerts: [cert],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mtlsOptionsFromFiles() uses a custom reader, e.g. for runtimes without Deno", async () => {
  const files: Record<string, string> = { "c.pem": cert, "k.pem": key };
  const options = await mtlsOptionsFromFiles({
    endpoint,
    clientId: "device-1",
    certFile: "c.pem",
    keyFile: "k.pem",
    readTextFile: (path) => Promise.resolve(files[path]),
  });
  assert.equal(options.cert, cert);
  assert.equal(options.key, key);
});
