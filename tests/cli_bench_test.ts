/**
 * `tern bench` as a subprocess through mosquitto: counts, loss and latency in the summary
 * (text and `--json`), and the line per second on stderr.
 */
import assert from "node:assert/strict";
import { startBroker } from "./support/broker.ts";
import { tern } from "./cli_support.ts";

const TICK =
  /^\[ *\d+s\] sent [\d,]+ msg\/s, received [\d,]+ msg\/s, p50 [\d.]+ ms, p99 [\d.]+ ms, lost [\d,]+$/;

Deno.test("tern bench --json counts every message of every pair at QoS 1 and 2", async () => {
  await using broker = await startBroker();
  for (const qos of ["1", "2"]) {
    const run = await tern([
      ...["bench", "-p", `${broker.port}`, "-q", qos, "-n", "501", "--connections", "2"],
      ...["-s", "100", "-w", "10", "--json"],
    ]);
    assert.equal(run.code, 0, run.stderr);
    for (const line of run.stderr.split("\n").filter(Boolean)) assert.match(line, TICK);
    const summary = JSON.parse(run.stdout);
    assert.deepStrictEqual(
      [summary.qos, summary.size, summary.connections, summary.window],
      [Number(qos), 100, 2, 10],
    );
    assert.deepStrictEqual([summary.sent, summary.received, summary.lost, summary.duplicates], [
      501,
      501,
      0,
      0,
    ]);
    const { p50, p90, p99, max } = summary.latencyMs;
    assert.ok(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max, JSON.stringify(summary.latencyMs));
  }
});

Deno.test("tern bench -d prints a line every second and a text summary", async () => {
  await using broker = await startBroker();
  const run = await tern(["bench", "-p", `${broker.port}`, "-d", "2", "-s", "32", "-w", "5"]);
  assert.equal(run.code, 0, run.stderr);
  const ticks = run.stderr.split("\n").filter(Boolean);
  assert.ok(ticks.length >= 1, run.stderr);
  for (const line of ticks) assert.match(line, TICK);
  const [headline, sent, received, lost] = run.stdout.split("\n");
  assert.match(
    headline,
    /^[\d,]+ messages of 32 bytes at QoS 0, 1 publisher\/subscriber pair, window 5, in [\d.]+ s$/,
  );
  assert.match(sent, /^sent +[\d,]+ \([\d,]+ msg\/s\)$/);
  assert.match(received, /^received +[\d,]+ \([\d,]+ msg\/s\)$/);
  assert.match(lost, /^lost +[\d,]+$/);
});

Deno.test("tern bench refuses a payload too small for its header, and -n with -d", async () => {
  const usage = (line: string) => ({
    code: 1,
    stdout: "",
    stderr: `Error: ${line}\nUse 'tern bench --help' to see usage.\n`,
  });
  assert.deepStrictEqual(
    await tern(["bench", "-s", "8"]),
    usage('Invalid size "8": at least 16 bytes.'),
  );
  assert.deepStrictEqual(
    await tern(["bench", "-n", "5", "-d", "1"]),
    usage("Give -n or -d, not both."),
  );
});
