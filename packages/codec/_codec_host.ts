// One WebAssembly instance of the codec shared by every decoder of a module: an instance
// costs V8 ~9 KiB of structures plus the pages it touches, which an idle connection should
// not pay. Decoders keep their unfinished bytes in runs of the shared memory (allocated
// here) and borrow the tape only for the length of one synchronous decode call.
import { codecWasmBytes } from "./wasm_module.ts";

/** The functions the module exports (codec-wasm/assembly/index.ts). */
export interface CodecExports {
  readonly memory: WebAssembly.Memory;
  dynamicBase(): number;
  statusPtr(): number;
  decode(
    input: number,
    length: number,
    tape: number,
    tapeCapacity: number,
    version: number,
    maxPacketSize: number,
  ): number;
}

/** WebAssembly's page size. */
export const PAGE = 65536;
// The smallest run: an idle connection's read view is a small one, and the memory pages
// its few bytes touched are shared with other connections' runs.
const MIN_RUN = 1024;
// 12 bytes per record; enough for thousands of small packets per call.
const INITIAL_TAPE = 4 * PAGE;
// The decoder loads strings 8 bytes at a time and masks the excess, so the bytes just
// past the last run must still be inside memory.
const TAIL = 16;

/** A span of linear memory owned by one decoder; capacity 0 means none. */
export interface Run {
  address: number;
  capacity: number;
  /** Size of a read view handed out and not yet committed; 0 when none is out. */
  viewSize: number;
}

/** The shared instance, its memory views, interned strings and free runs. */
export class CodecHost {
  readonly codec: CodecExports;
  /** Word index of the status block. */
  readonly status: number;
  /** Interned strings by id, shared like the instance's intern table. */
  readonly strings: string[] = [];
  bytes: Uint8Array;
  words: Int32Array;
  tape: number;
  tapeCapacity = INITIAL_TAPE;
  #top: number;
  // Free runs by size class (1 KiB << class), reused last-freed first, so that the pages
  // a run has touched are the ones touched again.
  #free: number[][] = [];

  constructor(module: WebAssembly.Module) {
    // Built with --runtime stub and --noAssert: the module imports nothing.
    this.codec = new WebAssembly.Instance(module, {}).exports as unknown as CodecExports;
    this.status = this.codec.statusPtr() >>> 2;
    this.#top = (this.codec.dynamicBase() + 15) & ~15;
    this.bytes = new Uint8Array(this.codec.memory.buffer);
    this.words = new Int32Array(this.codec.memory.buffer);
    this.tape = this.allocate(INITIAL_TAPE);
  }

  /**
   * A run of at least `bytes` (a power of two from 1 KiB). Throws RangeError when memory
   * cannot grow that far.
   */
  allocate(bytes: number): number {
    const sizeClass = classOf(bytes);
    const reused = this.#free[sizeClass]?.pop();
    if (reused !== undefined) return reused;
    const address = this.#top;
    const top = address + (MIN_RUN << sizeClass);
    const memory = this.codec.memory;
    const missing = top + TAIL - memory.buffer.byteLength;
    if (missing > 0) {
      memory.grow(Math.ceil(missing / PAGE));
      this.bytes = new Uint8Array(memory.buffer);
      this.words = new Int32Array(memory.buffer);
    }
    this.#top = top;
    return address;
  }

  /** Takes back a run from {@linkcode allocate} of `bytes` requested bytes. */
  release(address: number, bytes: number): void {
    (this.#free[classOf(bytes)] ??= []).push(address);
  }

  /** Swaps the tape for one twice as large (its contents are only ever transient). */
  growTape(): void {
    const tape = this.allocate(this.tapeCapacity * 2);
    this.release(this.tape, this.tapeCapacity);
    this.tape = tape;
    this.tapeCapacity *= 2;
  }
}

/** The capacity of the run `allocate(bytes)` returns. */
export function runCapacity(bytes: number): number {
  return MIN_RUN << classOf(bytes);
}

// Runs come in powers of two from MIN_RUN.
function classOf(bytes: number): number {
  return bytes <= MIN_RUN ? 0 : 32 - Math.clz32(Math.ceil(bytes / MIN_RUN) - 1);
}

let embedded: CodecHost | undefined;
const byModule = new WeakMap<WebAssembly.Module, CodecHost>();

/** The host of the embedded module, or of `module` for runtimes that must be handed one. */
export function codecHost(module?: WebAssembly.Module): CodecHost {
  if (module === undefined) {
    return embedded ??= new CodecHost(new WebAssembly.Module(codecWasmBytes()));
  }
  let host = byModule.get(module);
  if (host === undefined) byModule.set(module, host = new CodecHost(module));
  return host;
}
