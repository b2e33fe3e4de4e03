// Without FinalizationRegistry, a decoder's memory comes back through its explicit lifetime.
import assert from "node:assert/strict";

Deno.test("Decoders load, decode and give memory back on reset() where FinalizationRegistry is undefined", async () => {
  const script = new URL("./testdata/without_finalization_registry.ts", import.meta.url);
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-lock", script.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
  const result = JSON.parse(new TextDecoder().decode(stdout));
  assert.equal(result.decoded, 200);
  assert.equal(result.last, result.first, "the memory grew: runs given back were not reused");
});
