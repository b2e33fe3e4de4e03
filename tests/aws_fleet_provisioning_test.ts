/**
 * Fleet provisioning by claim over a real mosquitto: the local provisioning service on one
 * connection, a device on its claim certificate on another; the device then connects as
 * itself to a listener that trusts only the provisioning CA (specs/aws_iot.md §5).
 */
import assert from "node:assert/strict";
import { asMqttLike, connect, MqttClient } from "@tern/agent";
import {
  FleetProvisioningClient,
  FleetProvisioningService,
  type FleetProvisioningServiceOptions,
  LocalCertificateAuthority,
  mtlsOptions,
  provisionByClaim,
  ProvisioningError,
  type ProvisioningTemplate,
  toMqttClientOptions,
} from "@tern/aws";
import { type Broker, startBroker } from "./support/broker.ts";
import { generateCertificates, openssl, type TestCertificates } from "./support/certs.ts";
import { freePort } from "./support/free_port.ts";
import { runExample } from "./support/run_example.ts";

const SENSORS: ProvisioningTemplate = {
  Parameters: {
    SerialNumber: { Type: "String" },
    DeviceLocation: { Type: "String", Default: "Seattle" },
  },
  Mappings: { LocationTable: { Seattle: { LocationUrl: "https://example.aws" } } },
  Resources: {
    thing: {
      Type: "AWS::IoT::Thing",
      Properties: {
        ThingName: { "Fn::Join": ["", ["ThingPrefix_", { Ref: "SerialNumber" }]] },
        AttributePayload: { version: "v1", serialNumber: { Ref: "SerialNumber" } },
        ThingGroups: ["v1-sensors", { Ref: "DeviceLocation" }],
      },
    },
    certificate: {
      Type: "AWS::IoT::Certificate",
      Properties: { CertificateId: { Ref: "AWS::IoT::Certificate::Id" }, Status: "Active" },
    },
    policy: { Type: "AWS::IoT::Policy", Properties: { PolicyName: "SensorPolicy" } },
  },
  DeviceConfiguration: {
    FallbackUrl: "https://www.example.com/test-site",
    LocationUrl: { "Fn::FindInMap": ["LocationTable", { Ref: "DeviceLocation" }, "LocationUrl"] },
  },
};

interface Setup extends AsyncDisposable {
  certs: TestCertificates;
  broker: Broker;
  /** The listener that trusts only certificates of the provisioning CA. */
  devicePort: number;
  service: FleetProvisioningService;
  /** A device connected with the claim certificate (test CA) on the broker's mTLS port. */
  claim: MqttClient;
}

function mtlsClient(
  certs: TestCertificates,
  port: number,
  clientId: string,
  credentials: { cert: string; key: string },
): MqttClient {
  return new MqttClient({
    ...toMqttClientOptions(mtlsOptions({
      endpoint: "localhost",
      clientId,
      port,
      caCerts: [certs.pem.caCert],
      ...credentials,
    })),
    reconnect: false,
  });
}

async function setup(
  options: Partial<FleetProvisioningServiceOptions> = {},
): Promise<Setup> {
  const certs = await generateCertificates();
  const authority = await LocalCertificateAuthority.create();
  const caFile = `${certs.dir}/provisioning-ca.crt`;
  await Deno.writeTextFile(caFile, authority.certificatePem);
  const devicePort = freePort();
  const broker = await startBroker({
    certificates: certs,
    config: [
      `listener ${devicePort} 127.0.0.1`,
      `cafile ${caFile}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
      "require_certificate true",
    ],
  });
  const serviceClient = await connect(broker.url, { clientId: "provisioning-service" });
  const service = await FleetProvisioningService.start(asMqttLike(serviceClient), {
    templates: { sensors: SENSORS },
    authority,
    ...options,
  });
  const claim = mtlsClient(certs, broker.mtlsPort!, "claim-device", {
    cert: certs.pem.clientCert,
    key: certs.pem.clientKey,
  });
  await claim.start();
  return {
    certs,
    broker,
    devicePort,
    service,
    claim,
    async [Symbol.asyncDispose]() {
      await claim.stop();
      await service.stop();
      await serviceClient.stop();
      await broker.stop();
      await Deno.remove(certs.dir, { recursive: true });
    },
  };
}

/** Connects as the provisioned thing and gets one of its own messages back. */
async function echoAsThing(
  t: Setup,
  thingName: string,
  credentials: { cert: string; key: string },
): Promise<string> {
  const device = mtlsClient(t.certs, t.devicePort, thingName, credentials);
  await device.start();
  try {
    const received = Promise.withResolvers<string>();
    await device.subscribe(`devices/${thingName}/echo`, {
      qos: 1,
      handler: (message) => received.resolve(new TextDecoder().decode(message.payload)),
    });
    await device.publish(`devices/${thingName}/echo`, "hello from my own certificate", { qos: 1 });
    return await received.promise;
  } finally {
    await device.stop();
  }
}

Deno.test("a device provisions by claim with CreateKeysAndCertificate, then connects with its own certificate", async () => {
  await using t = await setup();
  const device = await provisionByClaim(asMqttLike(t.claim), {
    templateName: "sensors",
    parameters: { SerialNumber: "0042" },
  });
  assert.equal(device.thingName, "ThingPrefix_0042");
  assert.deepStrictEqual(device.deviceConfiguration, {
    FallbackUrl: "https://www.example.com/test-site",
    LocationUrl: "https://example.aws",
  });
  assert.match(device.certificateId, /^[0-9a-f]{64}$/);
  assert.ok(device.privateKey?.startsWith("-----BEGIN RSA PRIVATE KEY-----"));
  assert.deepStrictEqual(t.service.things.get("ThingPrefix_0042"), {
    attributes: { version: "v1", serialNumber: "0042" },
    thingTypeName: undefined,
    thingGroups: ["v1-sensors", "Seattle"],
    certificateIds: [device.certificateId],
  });
  const certificate = t.service.certificates.get(device.certificateId)!;
  assert.equal(certificate.status, "ACTIVE");
  assert.equal(certificate.thingName, "ThingPrefix_0042");
  assert.deepStrictEqual(certificate.policies, ["SensorPolicy"]);

  assert.equal(
    await echoAsThing(t, device.thingName, {
      cert: device.certificatePem,
      key: device.privateKey!,
    }),
    "hello from my own certificate",
  );
  // The device listener trusts only the provisioning CA: the claim certificate is refused.
  const claimThere = mtlsClient(t.certs, t.devicePort, "claim-again", {
    cert: t.certs.pem.clientCert,
    key: t.certs.pem.clientKey,
  });
  await assert.rejects(claimThere.start());
  await claimThere.stop();
});

Deno.test("a device provisions with CreateCertificateFromCsr and keeps its own key", async () => {
  await using t = await setup();
  const keyFile = `${t.certs.dir}/device.key`;
  const csrFile = `${t.certs.dir}/device.csr`;
  await openssl([
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    "/CN=sensor-0043",
    "-keyout",
    keyFile,
    "-out",
    csrFile,
  ], t.certs.dir);
  const device = await provisionByClaim(asMqttLike(t.claim), {
    templateName: "sensors",
    parameters: { SerialNumber: "0043", DeviceLocation: "Seattle" },
    certificateSigningRequest: await Deno.readTextFile(csrFile),
  });
  assert.equal(device.privateKey, undefined);
  assert.equal(device.thingName, "ThingPrefix_0043");
  const certFile = `${t.certs.dir}/device.crt`;
  await Deno.writeTextFile(certFile, device.certificatePem);
  await Deno.writeTextFile(`${t.certs.dir}/prov-ca.crt`, t.service.authority.certificatePem);
  assert.match(
    await openssl(["x509", "-in", certFile, "-noout", "-subject"], t.certs.dir),
    /CN\s*=\s*sensor-0043/,
  );
  assert.equal(
    await openssl(
      ["verify", "-CAfile", "prov-ca.crt", "-purpose", "sslclient", certFile],
      t.certs.dir,
    ),
    `${certFile}: OK\n`,
  );
  assert.equal(
    await echoAsThing(t, device.thingName, {
      cert: device.certificatePem,
      key: await Deno.readTextFile(keyFile),
    }),
    "hello from my own certificate",
  );
});

Deno.test("the provisioning service rejects bad requests with the documented error document", async (s) => {
  let clock = Date.parse("2026-12-06T12:00:00Z");
  await using t = await setup({
    now: () => clock,
    templates: {
      sensors: SENSORS,
      gated: {
        template: SENSORS,
        preProvisioningHook: ({ parameters }) =>
          parameters.SerialNumber.startsWith("ok")
            ? { allowProvisioning: true, parameterOverrides: { SerialNumber: "approved" } }
            : { allowProvisioning: false },
      },
    },
  });
  const client = new FleetProvisioningClient(asMqttLike(t.claim), { timeoutMs: 10_000 });
  const rejected = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e) => e);
    assert.ok(error instanceof ProvisioningError, String(error));
    return [error.statusCode, error.errorCode, error.errorMessage];
  };

  await s.step("an empty ownership token: 400 (as AWS answers it)", async () => {
    assert.deepStrictEqual(
      await rejected(client.registerThing("sensors", { certificateOwnershipToken: "" })),
      [400, "InvalidCertificateOwnershipToken", "Certificate ownership token cannot be empty."],
    );
  });
  await s.step("an unknown template: 404", async () => {
    const { certificateOwnershipToken } = await client.createKeysAndCertificate();
    assert.deepStrictEqual(
      await rejected(client.registerThing("nosuch", { certificateOwnershipToken })),
      [404, "ResourceNotFound", "Template nosuch does not exist."],
    );
  });
  await s.step("a missing parameter: 400, and the token stays usable", async () => {
    const { certificateOwnershipToken } = await client.createKeysAndCertificate();
    assert.deepStrictEqual(
      await rejected(client.registerThing("sensors", { certificateOwnershipToken })),
      [400, "InvalidParameters", 'Cannot evaluate template: parameter "SerialNumber" has no value'],
    );
    const registered = await client.registerThing("sensors", {
      certificateOwnershipToken,
      parameters: { SerialNumber: "1" },
    });
    assert.equal(registered.thingName, "ThingPrefix_1");
    // Spent: a second RegisterThing with the same token is refused.
    assert.deepStrictEqual(
      await rejected(client.registerThing("sensors", {
        certificateOwnershipToken,
        parameters: { SerialNumber: "2" },
      })),
      [
        400,
        "InvalidCertificateOwnershipToken",
        "Certificate ownership token is invalid or has expired.",
      ],
    );
  });
  await s.step("a token older than one hour: 400, and the certificate stays pending", async () => {
    const created = await client.createKeysAndCertificate();
    clock += 3_600_000;
    assert.equal(
      (await rejected(client.registerThing("sensors", {
        certificateOwnershipToken: created.certificateOwnershipToken,
        parameters: { SerialNumber: "3" },
      })))[1],
      "InvalidCertificateOwnershipToken",
    );
    assert.equal(t.service.certificates.get(created.certificateId)?.status, "PENDING_ACTIVATION");
  });
  await s.step("a pre-provisioning hook denies (403) or overrides parameters", async () => {
    const first = await client.createKeysAndCertificate();
    assert.deepStrictEqual(
      await rejected(client.registerThing("gated", {
        certificateOwnershipToken: first.certificateOwnershipToken,
        parameters: { SerialNumber: "bad-1" },
      })),
      [403, "AccessDenied", "The pre-provisioning hook denied the request."],
    );
    const second = await client.createKeysAndCertificate();
    const registered = await client.registerThing("gated", {
      certificateOwnershipToken: second.certificateOwnershipToken,
      parameters: { SerialNumber: "ok-2" },
    });
    assert.equal(registered.thingName, "ThingPrefix_approved");
  });
  await s.step("a CSR that is not a PKCS #10 request: 400 InvalidCsr", async () => {
    const pem = t.certs.pem.clientCert
      .replace("BEGIN CERTIFICATE", "BEGIN CERTIFICATE REQUEST")
      .replace("END CERTIFICATE", "END CERTIFICATE REQUEST");
    const [status, code] = await rejected(client.createCertificateFromCsr(pem));
    assert.deepStrictEqual([status, code], [400, "InvalidCsr"]);
  });
  await s.step("the client refuses a template name that is not one topic level", async () => {
    await assert.rejects(
      client.registerThing("a/b", { certificateOwnershipToken: "x" }),
      new TypeError(
        'Cannot register thing: template name "a/b" must be 1-36 letters, digits, "_" or "-"',
      ),
    );
  });
});

Deno.test("examples/fleet_provisioning.ts provisions a device and reconnects as it", async () => {
  await using t = await setup();
  const out = `${t.certs.dir}/device`;
  const { code, stdout, stderr } = await runExample(
    new URL("../examples/fleet_provisioning.ts", import.meta.url),
    {
      env: { AWS_IOT_ENDPOINT: "" },
      args: [
        "--endpoint",
        "localhost",
        "--port",
        String(t.broker.mtlsPort),
        "--device-port",
        String(t.devicePort),
        "--cert",
        t.certs.clientCert,
        "--key",
        t.certs.clientKey,
        "--ca",
        t.certs.caCert,
        "--template",
        "sensors",
        "--params",
        '{"SerialNumber":"0099"}',
        "--out",
        out,
      ],
    },
  );
  assert.equal(stderr, "");
  assert.equal(code, 0);
  const [certificateId] = [...t.service.certificates.keys()];
  assert.deepStrictEqual(stdout.trim().split("\n"), [
    "Connected to localhost with the claim certificate",
    `Provisioned thing ThingPrefix_0099 (certificate ${certificateId.slice(0, 12)}…)`,
    'Device configuration: {"FallbackUrl":"https://www.example.com/test-site","LocationUrl":"https://example.aws"}',
    "Connected as ThingPrefix_0099 with its own certificate and published",
  ]);
  assert.equal(
    await Deno.readTextFile(`${out}/certificate.pem.crt`),
    t.service.certificates.get(certificateId)!.certificatePem,
  );
  assert.match(
    await Deno.readTextFile(`${out}/private.pem.key`),
    /^-----BEGIN RSA PRIVATE KEY-----/,
  );
});
