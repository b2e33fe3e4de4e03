import assert from "node:assert/strict";
import { best, percentile, Report } from "./_report.ts";

Deno.test("a report with --json writes every round, the machine and its load to --out", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const report = new Report("example", { count: 10 }, 2);
    report.round({ scenario: "send", client: "Tern", round: 0, rate: 5, cpuMicrosPerMessage: 1 });
    report.round({
      scenario: "send",
      client: "AWS CRT",
      round: 0,
      rate: 2,
      cpuMicrosPerMessage: 9,
      note: "stalled: 4 of 10 in 2 s",
    });
    report.latency({ scenario: "round trip", client: "Tern", samplesMs: [0.2, 0.1] });
    await report.finish({ json: true, out: `${dir}/out.json` });
    const written = JSON.parse(await Deno.readTextFile(`${dir}/out.json`));
    assert.equal(written.script, "example");
    assert.deepEqual(written.settings, { count: 10 });
    assert.equal(written.rounds.length, 2);
    assert.equal(written.rounds[1].note, "stalled: 4 of 10 in 2 s");
    assert.deepEqual(written.latency[0].samplesMs, [0.2, 0.1]);
    assert.equal(written.machine.loadAverageAtStart.length, 3);
    assert.equal(written.machine.loadAverageAtEnd.length, 3);
    assert.ok(written.finishedAt >= written.startedAt);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a report without --json writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const report = new Report("example", {}, 0);
    await report.finish({ json: false, out: `${dir}/out.json` });
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("best() is the run with the highest rate and percentile() indexes a sorted list", () => {
  assert.deepEqual(best([{ rate: 1 }, { rate: 3 }, { rate: 2 }]), { rate: 3 });
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 0.5), 51);
  assert.equal(percentile(sorted, 0.99), 100);
  assert.equal(percentile(sorted, 1), 100);
});
