/**
 * Cross-checks `matches()` and `TopicTrie` against mosquitto's own routing: one
 * `mosquitto_sub` process per filter, every topic published with `mosquitto_pub`, and the
 * topics each process printed compared with what our matcher says.
 */
import assert from "node:assert/strict";
import { matches, TopicTrie } from "@tern/subscriptions";
import { startBroker } from "./support/broker.ts";

const FILTERS = [
  "#",
  "+",
  "+/+",
  "/+",
  "/#",
  "/",
  "//",
  "+/",
  "a/",
  "a",
  "a/#",
  "a/+",
  "a/+/b",
  "+/b",
  "+/+/+",
  "a/b",
  "a//b",
  "a/+/#",
  "+/#",
  "+/+/#",
  "+/a/#",
  "b/#",
  "a/b/#",
  "a/b/c",
  "$s",
  "$s/#",
  "$s/+",
  "$s/+/a",
  "+/$s",
  "$SYS/x/#",
  "$share/g/a/+",
  "$share/g/#",
  "$share/h/+/+",
];

/** Every topic of one to three levels drawn from these, plus a few deeper ones. */
function topics(): string[] {
  const levels = ["a", "b", "", "$s"];
  const out = new Set<string>(["a/b/c", "a/b/c/d", "b/a/b/a", "$s/a/b/c"]);
  let frontier = [""];
  for (let depth = 1; depth <= 3; depth++) {
    frontier = frontier.flatMap((prefix) =>
      levels.map((level) => depth === 1 ? level : `${prefix}/${level}`)
    );
    for (const topic of frontier) if (topic !== "") out.add(topic);
  }
  return [...out];
}

/** A `mosquitto_sub` for one filter that records the topics it prints. */
function subscriber(port: number, index: number, filter: string) {
  const clientId = `sub-${index}`;
  const sync = `sync/${clientId}`;
  const process = new Deno.Command("mosquitto_sub", {
    args: [
      "-p",
      String(port),
      "-V",
      "5",
      "-q",
      "1",
      "-i",
      clientId,
      "-F",
      "%t",
      "-t",
      filter,
      "-t",
      sync,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const received: string[] = [];
  let synced!: () => void;
  const done = new Promise<void>((resolve) => synced = resolve);
  const reading = (async () => {
    let rest = "";
    for await (const chunk of process.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        if (line === sync) synced();
        else if (!line.startsWith("sync/")) received.push(line);
      }
    }
  })();
  return { clientId, filter, sync, process, received, done, reading };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function publish(port: number, topic: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("mosquitto_pub", {
    args: ["-p", String(port), "-V", "5", "-q", "1", "-t", topic, "-m", "x"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, `mosquitto_pub -t ${topic}: ${new TextDecoder().decode(stderr)}`);
}

Deno.test("matches() and TopicTrie route every topic to the same filters as mosquitto", async () => {
  await using broker = await startBroker({ config: ["log_type subscribe"] });
  const subscribers = FILTERS.map((filter, i) => subscriber(broker.port, i, filter));
  try {
    // mosquitto logs "<time>: <client id> <qos> <filter>" once it has each subscription.
    await within(
      (async () => {
        while (true) {
          const log = await broker.log();
          if (
            subscribers.every((s) =>
              log.includes(`: ${s.clientId} 1 ${s.sync}\n`) &&
              log.includes(`: ${s.clientId} 1 ${s.filter}\n`)
            )
          ) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })(),
      20_000,
      "mosquitto_sub processes subscribing",
    );
    const published = topics();
    for (const topic of published) await publish(broker.port, topic);
    // Each client's messages arrive in order, so its sync message comes after the others.
    for (const s of subscribers) await publish(broker.port, s.sync);
    await within(Promise.all(subscribers.map((s) => s.done)), 20_000, "sync messages");

    const trie = new TopicTrie<number>();
    FILTERS.forEach((filter, i) => trie.add(filter, i));
    let deliveries = 0;
    for (const s of subscribers) {
      const byMosquitto = [...new Set(s.received)].sort();
      const byMatches = published.filter((topic) => matches(s.filter, topic)).sort();
      assert.deepEqual(byMatches, byMosquitto, `filter ${s.filter}`);
      deliveries += byMosquitto.length;
    }
    for (const topic of published) {
      const byTrie = trie.match(topic).map((i) => FILTERS[i]).sort();
      const byMosquitto = subscribers.filter((s) => s.received.includes(topic)).map((s) => s.filter)
        .sort();
      assert.deepEqual(byTrie, byMosquitto, `topic ${topic}`);
    }
    // Not vacuous: some filters receive, and some topics miss some filters.
    assert.ok(deliveries > 0 && deliveries < published.length * FILTERS.length);
  } finally {
    for (const s of subscribers) {
      try {
        s.process.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      await s.process.status;
      await s.reading;
    }
  }
});
