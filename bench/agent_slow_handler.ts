/**
 * Receive QoS 1 into a handler that takes 1 ms per message (issue #13), Tern and MQTT.js in
 * turn, through mosquitto: a publisher sends `--count` messages as fast as mosquitto takes
 * them, and the subscriber's handler awaits 1 ms for each, one at a time. Reports messages
 * handled per second, how many were lost, and the most JavaScript heap the run held above
 * its start (sampled every 100 ms, after a full collection when run with
 * `--v8-flags=--expose-gc`, so that it counts what is held, not garbage). Tern holds acknowledgements until its subscription takes
 * a message, so mosquitto keeps the backlog; MQTT.js acknowledges on arrival, so the backlog
 * waits in the subscriber's memory, in the handler's queue.
 *
 *   deno run -A --v8-flags=--expose-gc bench/agent_slow_handler.ts [--count 5000] [--first tern|mqttjs]
 */
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { MqttClient } from "../packages/agent/mod.ts";
import { startBroker } from "../tests/support/broker.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "5000" },
    // Which client runs first (the first run also pays for warming up).
    first: { type: "string", default: "tern" },
  },
});
const COUNT = Number(values.count);
const PAYLOAD = new Uint8Array(64).fill(0x62);
const pause = () => new Promise((resolve) => setTimeout(resolve, 1));
// With --v8-flags=--expose-gc, each sample counts live memory only, not garbage.
const gc = (globalThis as { gc?: () => void }).gc;

await using broker = await startBroker({ config: ["max_queued_messages 1000000"] });

/** Subscribes with `subscribe`, publishes COUNT messages, waits for `handled` to reach it. */
async function run(
  name: string,
  subscribe: (onHandled: () => void) => Promise<() => Promise<void>>,
): Promise<string> {
  let handled = 0;
  const done = Promise.withResolvers<void>();
  const stop = await subscribe(() => {
    if (++handled === COUNT) done.resolve();
  });
  const live = () => {
    gc?.();
    return Deno.memoryUsage().heapUsed;
  };
  const base = live();
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, live() - base);
  }, 100);
  const publisher = new MqttClient({ url: broker.url, clientId: `pub-${name}`, reconnect: false });
  await publisher.start();
  const start = performance.now();
  for (let sent = 0; sent < COUNT; sent += 100) {
    const batch = [];
    for (let i = sent; i < Math.min(COUNT, sent + 100); i++) {
      batch.push(publisher.publish("slow/handler", PAYLOAD, { qos: 1 }));
    }
    await Promise.all(batch);
  }
  await done.promise;
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  await publisher.stop();
  await stop();
  const lost = COUNT - handled;
  return `| ${name} | ${Math.round(COUNT / seconds)} | ${lost} | ${(peak / 1e6).toFixed(1)} |`;
}

const tern = () =>
  run("Tern", async (onHandled) => {
    const client = new MqttClient({ url: broker.url, clientId: "slow-tern", reconnect: false });
    await client.start();
    await client.subscribe("slow/handler", {
      qos: 1,
      handler: async () => {
        await pause();
        onHandled();
      },
    });
    return () => client.stop();
  });
const mqttJs = () =>
  run("MQTT.js", async (onHandled) => {
    const client = mqtt.connect(broker.url, { protocolVersion: 5, clientId: "slow-mqttjs" });
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    // One message at a time, as Tern's handler: a queue of work behind the handler.
    let queue = Promise.resolve();
    client.on("message", () => {
      queue = queue.then(async () => {
        await pause();
        onHandled();
      });
    });
    await client.subscribeAsync("slow/handler", { qos: 1 });
    return () => client.endAsync();
  });
const rows = values.first === "tern" ? [await tern(), await mqttJs()] : [
  await mqttJs(),
  await tern(),
];
console.log(
  `${COUNT} QoS 1 messages of 64 bytes, handler awaiting 1 ms each, Deno ${Deno.version.deno}`,
);
console.log("");
console.log("| client | handled msg/s | lost | peak heap above start (MB) |");
console.log("| --- | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
