/**
 * The Deno side of the AWS CRT driver: starts `node bench/node/crt_driver.mjs` (installing
 * `aws-crt` into `bench/node/node_modules` with npm on first use) and sends it requests.
 *
 * @module
 */

const NODE_DIR = new URL("node/", import.meta.url).pathname;

/** Where the CRT client connects: TCP, plain WebSocket or TLS (optionally mutual). */
export interface CrtTarget {
  host: string;
  port: number;
  transport?: "mqtt" | "ws" | "mqtts";
  /** CA certificate file (TLS). */
  ca?: string;
  /** Client certificate and key files (mutual TLS). */
  cert?: string;
  key?: string;
}

/** What a timed request reports: wall time and the driver process's CPU time. */
export interface CrtTiming {
  micros: number;
  cpuMicros: number;
  /** Messages received, when fewer than asked for arrived in time. */
  received?: number;
}

/** One Node process running the CRT client; requests run one at a time. */
export interface CrtDriver extends AsyncDisposable {
  connect(target: CrtTarget & { clientId: string }): Promise<void>;
  receive(topic: string, qos: 0 | 1, count: number, timeoutMs?: number): Promise<CrtTiming>;
  publish(topic: string, qos: 0 | 1, count: number, rate?: number): Promise<CrtTiming>;
  self(topic: string, qos: 0 | 1, count: number): Promise<CrtTiming>;
  roundTrip(topic: string, samples: number): Promise<{ times: number[] }>;
  idle(target: CrtTarget, count: number): Promise<{ heap: number; rss: number }>;
  crowd(
    target: CrtTarget,
    options: { count: number; parallel: number; keepAliveSeconds: number; idleMs: number },
  ): Promise<{
    connectMs: number;
    rssKiBPerConnection: number;
    heapKiBPerConnection: number;
    idleCpuPercent: number;
  }>;
  stop(): Promise<void>;
}

async function ensureInstalled(): Promise<void> {
  try {
    await Deno.stat(`${NODE_DIR}node_modules/aws-crt/package.json`);
    return;
  } catch {
    // Not installed yet.
  }
  const installed = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund"],
    cwd: NODE_DIR,
    stdout: "inherit",
    stderr: "inherit",
  }).output().catch((error) => {
    throw new Error("Cannot install aws-crt for the benchmarks: npm is missing", { cause: error });
  });
  if (!installed.success) {
    throw new Error(`Cannot install aws-crt for the benchmarks: npm install failed in ${NODE_DIR}`);
  }
}

/** Starts a driver process (with `--expose-gc`, for `idle`). */
export async function startCrt(): Promise<CrtDriver> {
  await ensureInstalled();
  const child = new Deno.Command("node", {
    args: ["--no-warnings", "--expose-gc", `${NODE_DIR}crt_driver.mjs`],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let next = 0;
  const readLine = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("The AWS CRT driver exited");
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  };
  // deno-lint-ignore no-explicit-any
  const call = async (op: string, request: Record<string, unknown> = {}): Promise<any> => {
    const id = next++;
    await writer.write(new TextEncoder().encode(JSON.stringify({ id, op, ...request }) + "\n"));
    const answer = JSON.parse(await readLine());
    if (!answer.ok) throw new Error(`AWS CRT driver: ${op} failed: ${answer.error}`);
    return answer;
  };
  return {
    connect: async (target) => void await call("connect", { ...target }),
    receive: (topic, qos, count, timeoutMs) => call("receive", { topic, qos, count, timeoutMs }),
    publish: (topic, qos, count, rate) => call("publish", { topic, qos, count, rate }),
    self: (topic, qos, count) => call("self", { topic, qos, count }),
    roundTrip: (topic, samples) => call("roundTrip", { topic, samples }),
    idle: (target, count) => call("idle", { ...target, count }),
    crowd: (target, options) => call("crowd", { ...target, ...options }),
    stop: async () => void await call("stop"),
    async [Symbol.asyncDispose]() {
      await writer.close().catch(() => {});
      await lines.cancel().catch(() => {});
      await child.status;
    },
  };
}
