import assert from "node:assert/strict";
import { MemoryBus, until } from "../shadow/_memory_bus.ts";
import { FleetProvisioningClient, ProvisioningError } from "./fleet_provisioning_client.ts";
import { FleetProvisioningService } from "./fleet_provisioning_service.ts";
import { LocalCertificateAuthority } from "./certificate_authority.ts";
import type { ProvisioningTemplate } from "./provisioning_template.ts";

const TEMPLATE: ProvisioningTemplate = {
  Resources: { thing: { Type: "AWS::IoT::Thing", Properties: { ThingName: "t1" } } },
};
const authority = await LocalCertificateAuthority.create();

function answers(bus: MemoryBus, filter: string) {
  const seen: { topic: string; body: Record<string, unknown> }[] = [];
  bus.connect().subscribe(filter, (message) => {
    seen.push({
      topic: message.topic,
      body: JSON.parse(new TextDecoder().decode(message.payload)),
    });
  }, { qos: 1 });
  return seen;
}

Deno.test("FleetProvisioningService refuses a template without exactly one thing", async () => {
  const bus = new MemoryBus();
  await assert.rejects(
    FleetProvisioningService.start(bus.connect(), { templates: { none: {} }, authority }),
    new TypeError(
      'Cannot start fleet provisioning service: template "none" must have one AWS::IoT::Thing resource, not 0',
    ),
  );
});

Deno.test("FleetProvisioningService takes an empty or {} CreateKeysAndCertificate payload, and refuses other text", async () => {
  const bus = new MemoryBus();
  await using _service = await FleetProvisioningService.start(bus.connect(), {
    templates: { t: TEMPLATE },
    authority,
  });
  const seen = answers(bus, "$aws/certificates/create/json/+");
  const device = bus.connect();
  for (const payload of ["", "{}", "not json"]) {
    await device.publish("$aws/certificates/create/json", new TextEncoder().encode(payload), {
      qos: 1,
    });
  }
  await until(() => seen.length === 3, "three answers arrived");
  assert.deepStrictEqual(seen.map((answer) => answer.topic.split("/").at(-1)).sort(), [
    "accepted",
    "accepted",
    "rejected",
  ]);
  assert.deepStrictEqual(seen.find((answer) => answer.topic.endsWith("rejected"))?.body, {
    statusCode: 400,
    errorCode: "InvalidPayload",
    errorMessage: "The payload is not a JSON object.",
  });
});

Deno.test("FleetProvisioningService answers 500 when a pre-provisioning hook throws, and reports it", async () => {
  const bus = new MemoryBus();
  const reported: unknown[] = [];
  await using _service = await FleetProvisioningService.start(bus.connect(), {
    templates: {
      t: {
        template: TEMPLATE,
        preProvisioningHook: () => {
          throw new Error("hook crashed");
        },
      },
    },
    authority,
    onError: (error) => reported.push(error),
  });
  const client = new FleetProvisioningClient(bus.connect());
  const { certificateOwnershipToken } = await client.createKeysAndCertificate();
  const error = await client.registerThing("t", { certificateOwnershipToken }).catch((e) => e);
  assert.ok(error instanceof ProvisioningError);
  assert.deepStrictEqual([error.statusCode, error.errorCode], [500, "InternalError"]);
  assert.deepStrictEqual(reported, [new Error("hook crashed")]);
});
