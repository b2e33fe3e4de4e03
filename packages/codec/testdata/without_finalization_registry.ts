// Run by decoder_lifetime_test.ts: decoders in a runtime without FinalizationRegistry (workerd at
// older compatibility dates, such as 2024-09-23). Prints what it measured as JSON.
delete (globalThis as { FinalizationRegistry?: unknown }).FinalizationRegistry;
// Imported after the delete: the decoder module looks for FinalizationRegistry when it loads.
const { codecWasmBytes, Decoder, encode } = await import("../mod.ts");
const { codecHost } = await import("../_codec_host.ts");

const wasmModule = new WebAssembly.Module(codecWasmBytes());
const memory = codecHost(wasmModule).codec.memory;
const packet = encode({
  type: "publish",
  topic: "lifetime/test",
  payload: new Uint8Array(100_000).fill(7),
  qos: 0,
  retain: false,
  dup: false,
}, { version: 5 });

// One connection per round, each dropped inside a packet and reset, as the client does when a
// connection ends; the memory they held must be reused, not grown.
const sizes: number[] = [];
let decoded = 0;
for (let round = 0; round < 200; round++) {
  const decoder = new Decoder({ version: 5, wasmModule });
  decoded += decoder.push(packet).length;
  decoder.push(packet.subarray(0, 60_000 + round));
  decoder.readView();
  decoder.reset();
  if (decoder.memoryBytes !== 0) throw new Error(`round ${round}: reset() kept memory`);
  sizes.push(memory.buffer.byteLength);
}
console.log(JSON.stringify({ decoded, first: sizes[0], last: sizes.at(-1) }));
