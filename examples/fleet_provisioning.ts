/**
 * Fleet provisioning by claim, as the AWS IoT Device SDK's fleet provisioning sample does
 * it:
 *
 * 1. connect over mutual TLS with the claim certificate every device of the fleet ships with;
 * 2. get a certificate of its own: CreateKeysAndCertificate (the service makes the key), or
 *    CreateCertificateFromCsr with `--csr` (the key never leaves the device);
 * 3. RegisterThing with the provisioning template and its parameters;
 * 4. save the certificate (and key) to `--out`, disconnect, and connect again as the new thing
 *    with its own certificate, publishing one message to show it works.
 *
 * Against AWS IoT Core (a template whose claim policy allows the `$aws/certificates/…` and
 * `$aws/provisioning-templates/<name>/…` topics):
 *
 *   deno run -A examples/fleet_provisioning.ts --endpoint abc123-ats.iot.us-east-1.amazonaws.com \
 *     --cert claim.pem.crt --key claim.private.key --template sensors \
 *     --params '{"SerialNumber":"0042"}' --out ./device
 *
 * Against a local broker running `FleetProvisioningService` (what the tests do), add `--ca`
 * and, when the device listener differs from the claim one, `--device-port`.
 */
import { parseArgs } from "node:util";
import { asMqttLike, MqttClient } from "@tern/agent";
import { mtlsOptions, provisionByClaim, toMqttClientOptions } from "@tern/aws";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    endpoint: { type: "string", default: Deno.env.get("AWS_IOT_ENDPOINT") },
    port: { type: "string", default: "8883" },
    "device-port": { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    ca: { type: "string" },
    template: { type: "string" },
    params: { type: "string", default: "{}" },
    csr: { type: "string" },
    "device-key": { type: "string" },
    out: { type: "string", default: "." },
    "client-id": { type: "string", default: "tern-claim" },
  },
});
const { endpoint, cert, key, template } = values;
if (!endpoint || !cert || !key || !template) {
  console.error("Give --endpoint, --cert and --key (the claim certificate) and --template");
  Deno.exit(2);
}
if ((values.csr === undefined) !== (values["device-key"] === undefined)) {
  console.error("Give --csr and --device-key together (the request and its private key)");
  Deno.exit(2);
}
const caCerts = values.ca ? [await Deno.readTextFile(values.ca)] : undefined;
const connectAs = async (
  clientId: string,
  port: string,
  credentials: { cert: string; key: string },
) => {
  const client = new MqttClient({
    ...toMqttClientOptions(
      mtlsOptions({ endpoint, clientId, port: Number(port), caCerts, ...credentials }),
    ),
    reconnect: false,
  });
  await client.start();
  return client;
};

const claim = await connectAs(values["client-id"], values.port, {
  cert: await Deno.readTextFile(cert),
  key: await Deno.readTextFile(key),
});
console.log(`Connected to ${endpoint} with the claim certificate`);
let device;
try {
  device = await provisionByClaim(asMqttLike(claim), {
    templateName: template,
    parameters: JSON.parse(values.params),
    certificateSigningRequest: values.csr ? await Deno.readTextFile(values.csr) : undefined,
  });
} finally {
  await claim.stop();
}
const deviceKey = device.privateKey ?? await Deno.readTextFile(values["device-key"]!);
await Deno.mkdir(values.out, { recursive: true });
await Deno.writeTextFile(`${values.out}/certificate.pem.crt`, device.certificatePem);
await Deno.writeTextFile(`${values.out}/private.pem.key`, deviceKey, { mode: 0o600 });
console.log(
  `Provisioned thing ${device.thingName} (certificate ${device.certificateId.slice(0, 12)}…)`,
);
console.log(`Device configuration: ${JSON.stringify(device.deviceConfiguration)}`);

const own = await connectAs(device.thingName, values["device-port"] ?? values.port, {
  cert: device.certificatePem,
  key: deviceKey,
});
try {
  await own.publish(`${device.thingName}/provisioned`, "hello", { qos: 1 });
  console.log(`Connected as ${device.thingName} with its own certificate and published`);
} finally {
  await own.stop();
}
