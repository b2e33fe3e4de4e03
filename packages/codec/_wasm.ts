// Loading the codec's WebAssembly module (built from codec-wasm/ and embedded in
// _wasm_module.ts). Compiling it is synchronous: the module is small (under 10 KB).
import { codecWasmBytes } from "./wasm_module.ts";

/** The functions the module exports (codec-wasm/assembly/index.ts). */
export interface CodecExports {
  readonly memory: WebAssembly.Memory;
  dynamicBase(): number;
  statusPtr(): number;
  reset(): void;
  decode(
    input: number,
    length: number,
    tape: number,
    tapeCapacity: number,
    version: number,
    maxPacketSize: number,
  ): number;
}

let embedded: WebAssembly.Module | undefined;

function embeddedModule(): WebAssembly.Module {
  embedded ??= new WebAssembly.Module(codecWasmBytes());
  return embedded;
}

/**
 * A fresh instance (its own memory) of the codec module: the embedded one, or `module`
 * for runtimes that forbid compiling WebAssembly from bytes.
 */
export function instantiateCodec(module?: WebAssembly.Module): CodecExports {
  // Built with --runtime stub and --noAssert: the module imports nothing.
  const instance = new WebAssembly.Instance(module ?? embeddedModule(), {});
  return instance.exports as unknown as CodecExports;
}
