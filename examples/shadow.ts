/**
 * The FreeRTOS Device Shadow demo (shadow_demo_main.c), against the local shadow service:
 *
 * 1. connect, and start from a clean slate by deleting the shadow (a 404 is fine);
 * 2. subscribe to the delta and update responses (the device loop does it once);
 * 3. publish a desired `powerOn` state, as the cloud application would;
 * 4. the device receives the delta, switches, and reports `powerOn`; the update is accepted
 *    with the device's clientToken, and the delta is gone;
 * 5. repeat with the opposite state, then delete the shadow and disconnect.
 *
 * Without `--url` everything runs in one process with nothing installed: an embedded broker
 * (`@tern/broker`), the local shadow service, the device and the application, a local
 * AWS IoT with no account. With `--url` it runs against any broker (`mosquitto -p 1883`):
 *
 *   deno run -A examples/shadow.ts [--url mqtt://127.0.0.1:1883] [--thing demo-thing]
 *                                  [--external-service] [--rounds 2]
 *
 * The shadow service runs in-process unless `--external-service` says that
 * `deno task shadow-service` is already serving the broker.
 */
import { parseArgs } from "node:util";
import { asMqttLike, connect as connectUrl, MqttClient } from "@tern/agent";
import { Broker } from "@tern/broker";
import { DeviceShadow, ShadowClient, ShadowError, ShadowService } from "@tern/shadow";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    thing: { type: "string", default: "demo-thing" },
    rounds: { type: "string", default: "2" },
    "external-service": { type: "boolean", default: false },
  },
});
const thingName = values.thing;
const rounds = Number(values.rounds);

await using broker = values.url ? undefined : new Broker();

/** A started client of the broker given by `--url`, or of the embedded one. */
async function connect(): Promise<MqttClient> {
  if (values.url) return await connectUrl(values.url);
  const client = new MqttClient({ transport: broker!.connect(), reconnect: false });
  await client.start();
  return client;
}

// The service, the device and the application each have their own connection, as they
// would in the field (the service is AWS IoT's; the application is in the cloud).
const serviceClient = values["external-service"] ? undefined : await connect();
const service = serviceClient && await ShadowService.start(asMqttLike(serviceClient));
const deviceClient = await connect();
const appClient = await connect();
const deviceShadow = new ShadowClient(asMqttLike(deviceClient), { thingName });
const app = new ShadowClient(asMqttLike(appClient), { thingName });

try {
  try {
    const deleted = await app.delete();
    console.log(`Deleted the old shadow of ${thingName} (version ${deleted.version})`);
  } catch (error) {
    if (!(error instanceof ShadowError && error.code === 404)) throw error;
    console.log(`No shadow of ${thingName} yet: ${error.message}`);
  }

  let powerOn = 0;
  const switched = new Set<(state: number) => void>();
  const device = await DeviceShadow.start(deviceShadow, {
    apply(delta, event) {
      if (typeof delta.powerOn !== "number") return undefined;
      console.log(`Device: delta version ${event.version}, powerOn ${powerOn} -> ${delta.powerOn}`);
      powerOn = delta.powerOn;
      for (const resolve of switched) resolve(powerOn);
      return { powerOn };
    },
  });
  const updates = await app.documents();

  for (let round = 1; round <= rounds; round++) {
    const desired = round % 2;
    const reachedState = new Promise<number>((resolve) => switched.add(resolve));
    const accepted = await app.update({ desired: { powerOn: desired } });
    console.log(`App: desired powerOn ${desired} accepted, version ${accepted.version}`);
    console.log(`Device: now powerOn ${await reachedState}`);
    switched.clear();
    // Wait for the document that shows the device's report, then check the delta is gone.
    for (;;) {
      const { value } = await updates.next();
      if (value?.current.state.reported?.powerOn === desired) {
        console.log(`Device: reported powerOn ${desired}, version ${value.current.version}`);
        break;
      }
    }
    const shadow = await app.get();
    if (shadow.state.delta !== undefined) {
      throw new Error(`Demo failed: delta ${JSON.stringify(shadow.state.delta)} left over`);
    }
  }
  await updates.return?.();
  await device.stop();

  const deleted = await app.delete();
  console.log(`Deleted the shadow (version ${deleted.version}); demo completed successfully`);
} finally {
  await app.close();
  await deviceShadow.close();
  await service?.stop();
  await Promise.all([appClient.stop(), deviceClient.stop(), serviceClient?.stop()]);
}
