/**
 * The C side of the broker benchmarks: `mosquitto_sub` counting what a client publishes, and
 * `c_publisher.c` (libmosquitto, compiled here with gcc) feeding what a client receives or
 * setting the broker's ceiling. Both talk plain TCP to the broker, in their own processes.
 *
 * @module
 */
import type { Broker } from "../tests/support/broker.ts";

/** Builds c_publisher.c against the libmosquitto that mosquitto-clients installs. */
export async function compileCPublisher(): Promise<{ path: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "tern-bench-" });
  const path = `${dir}/c_publisher`;
  const source = new URL("c_publisher.c", import.meta.url).pathname;
  const built = await new Deno.Command("gcc", {
    args: ["-O2", "-o", path, source, "-l:libmosquitto.so.1"],
    stderr: "piped",
  }).output().catch((error) => {
    throw new Error("Cannot build the C reference publisher: gcc is missing", { cause: error });
  });
  if (!built.success) {
    throw new Error(
      `Cannot build the C reference publisher (needs gcc and libmosquitto1): ${
        new TextDecoder().decode(built.stderr)
      }`,
    );
  }
  return { path, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/**
 * Resolves once the broker logged `clientId`'s subscription to `topic` (it needs
 * `log_type subscribe`).
 */
export async function subscribed(
  broker: Broker,
  clientId: string,
  qos: 0 | 1,
  topic: string,
): Promise<void> {
  while (!(await broker.log()).includes(`${clientId} ${qos} ${topic}`)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Starts mosquitto_sub for `count` messages; resolves once it subscribed, then when done. */
export async function mosquittoSub(
  broker: Broker,
  topic: string,
  qos: 0 | 1,
  count: number,
): Promise<{ done: Promise<void> }> {
  const id = `counter-${crypto.randomUUID().slice(0, 8)}`;
  const child = new Deno.Command("mosquitto_sub", {
    args: [
      ...["-h", "127.0.0.1", "-p", String(broker.port), "-V", "5", "-i", id],
      ...["-t", topic, "-q", String(qos), "-C", String(count), "-F", "%l"],
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await subscribed(broker, id, qos, topic);
  return {
    done: child.status.then((status) => {
      if (!status.success) throw new Error("Cannot subscribe: mosquitto_sub failed");
    }),
  };
}

/** Runs the C publisher: `count` 64-byte messages to `topic`, 1000 outstanding. */
export async function runCPublisher(
  binary: string,
  broker: Broker,
  topic: string,
  qos: 0 | 1,
  count: number,
): Promise<void> {
  const args = ["127.0.0.1", String(broker.port), topic, String(qos), String(count), "64"];
  const status = await new Deno.Command(binary, { args, stderr: "inherit" }).spawn().status;
  if (!status.success) throw new Error("Cannot publish: c_publisher failed");
}
