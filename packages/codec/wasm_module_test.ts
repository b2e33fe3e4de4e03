// The .wasm file a Worker imports as a compiled module is the module the package embeds.
import assert from "node:assert/strict";
import { codecWasmBytes, Decoder } from "./mod.ts";

Deno.test("codec.wasm holds the bytes of codecWasmBytes() and compiles into a working decoder", async () => {
  const file = await Deno.readFile(new URL("./codec.wasm", import.meta.url));
  assert.deepEqual(file, codecWasmBytes());
  const decoder = new Decoder({ version: 4, wasmModule: await WebAssembly.compile(file) });
  assert.deepEqual(decoder.push(new Uint8Array([0xd0, 0x00])), [{ type: "pingresp" }]);
});
