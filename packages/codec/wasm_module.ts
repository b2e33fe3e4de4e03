/**
 * The codec's WebAssembly module, for runtimes that must be handed a compiled module.
 *
 * @module
 */
import { wasmBase64 } from "./_wasm_base64.ts";

/**
 * The bytes of the codec's WebAssembly module (built from `codec-wasm/`). Runtimes that
 * forbid compiling WebAssembly at run time (Cloudflare Workers, Vercel Edge) import a
 * `.wasm` file as a compiled `WebAssembly.Module` instead: write these bytes to a file at
 * build time, import it, and pass it as `wasmModule` to {@linkcode Decoder}.
 *
 * @example Compile the module yourself
 * ```ts
 * import { codecWasmBytes, Decoder } from "@tern/codec";
 *
 * const wasmModule = new WebAssembly.Module(codecWasmBytes());
 * const decoder = new Decoder({ version: 5, wasmModule });
 * console.log(decoder.push(new Uint8Array([0xd0, 0x00]))); // [ { type: "pingresp" } ]
 * ```
 */
export function codecWasmBytes(): Uint8Array<ArrayBuffer> {
  const binary = atob(wasmBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
