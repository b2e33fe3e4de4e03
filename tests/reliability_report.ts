/**
 * Runs the fault tests (tests/resilience_*_test.ts) against real mosquitto brokers and writes
 * their figures to tests/RELIABILITY.md. Run with `deno task reliability`.
 */
import { type FaultFigures, RELIABILITY_OUT } from "./support/reliability.ts";

const testsDir = new URL(".", import.meta.url).pathname;
const files: string[] = [];
for await (const entry of Deno.readDir(testsDir)) {
  if (entry.isFile && /^resilience_.*_test\.ts$/.test(entry.name)) {
    files.push(`${testsDir}${entry.name}`);
  }
}
files.sort();
if (files.length === 0) throw new Error(`Cannot report: no resilience_*_test.ts in ${testsDir}`);

const out = await Deno.makeTempFile({ prefix: "tern-reliability-", suffix: ".jsonl" });
try {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--sanitize-ops", "--sanitize-resources", ...files],
    env: { [RELIABILITY_OUT]: out },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  const lines = (await Deno.readTextFile(out)).split("\n").filter((line) => line !== "");
  const figures = lines.map((line) => JSON.parse(line) as FaultFigures);
  const report = await render(figures, files, run.success);
  await Deno.writeTextFile(`${testsDir}RELIABILITY.md`, report);
  console.log(`Wrote ${testsDir}RELIABILITY.md (${figures.length} rows)`);
  if (!run.success) Deno.exit(1);
} finally {
  await Deno.remove(out);
}

async function version(command: string, args: string[]): Promise<string> {
  const { stdout } = await new Deno.Command(command, { args, stdout: "piped", stderr: "null" })
    .output();
  return new TextDecoder().decode(stdout).split("\n")[0].trim();
}

async function render(figures: FaultFigures[], files: string[], passed: boolean): Promise<string> {
  const mosquitto = await version("mosquitto", ["-h"]);
  const cell = (value: number | undefined) => value === undefined ? "–" : String(value);
  const notes = [...new Set(figures.flatMap((f) => f.note ? [`- *${f.test}*: ${f.note}`] : []))];
  const rows = figures.map((f) =>
    `| ${f.test} | ${f.fault} | ${f.qos} | ${f.sent} | ${f.received} | ${f.lost} | ${f.duplicated} | ${
      cell(f.healMs)
    } | ${cell(f.reconnects)} |`
  );
  return [
    "# Reliability figures",
    "",
    "Produced by `deno task reliability`, which runs the fault tests below against real",
    "mosquitto brokers on loopback and records what each one sent and received. Rerun it to",
    "refresh this file; times and QoS 1 duplicates vary from run to run.",
    "",
    `- Generated: ${new Date().toISOString()}`,
    `- Deno ${Deno.version.deno} on ${Deno.build.os}/${Deno.build.arch}, ${mosquitto}`,
    `- Test files: ${files.map((f) => `\`tests/${f.split("/").pop()}\``).join(", ")}`,
    `- Result: ${passed ? "all tests passed" : "SOME TESTS FAILED (see the run's output)"}`,
    "",
    "Lost counts distinct messages that never arrived; duplicated counts arrivals beyond the",
    "first (allowed at QoS 1 only). Time to heal runs from the fault to the client's next",
    "accepted connection (CONNACK); reconnects counts the publisher's.",
    "",
    "| Test | Fault | QoS | Sent | Received | Lost | Duplicated | Time to heal (ms) | Reconnects |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    ...(notes.length > 0 ? ["", "## Notes", "", ...notes] : []),
    "",
  ].join("\n");
}
