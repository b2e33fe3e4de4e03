/**
 * The streaming packet decoder.
 *
 * @module
 */
import type { Packet, ProtocolVersion } from "./packet.ts";
import { type CodecHost, codecHost, PAGE, type Run, runCapacity } from "./_codec_host.ts";
import { decodeError } from "./_decode_errors.ts";
import { MalformedPacketError } from "./errors.ts";
import { readTape } from "./_tape_reader.ts";
import * as abi from "./_wasm_abi.ts";

/**
 * The largest packet MQTT can frame: 1 + 4 + 268,435,455 bytes. The default and the upper
 * bound of {@linkcode DecoderOptions.maxPacketSize}.
 *
 * @example Accept everything the protocol allows
 * ```ts
 * import { Decoder, MAX_PACKET_SIZE } from "@tern/codec";
 *
 * const decoder = new Decoder({ version: 5, maxPacketSize: MAX_PACKET_SIZE });
 * console.log(decoder.maxPacketSize); // 268435460
 * ```
 */
export const MAX_PACKET_SIZE = 268_435_460;

/**
 * Options for {@linkcode Decoder}.
 *
 * @example Refuse packets over 64 KiB
 * ```ts
 * import { Decoder, type DecoderOptions, MalformedPacketError } from "@tern/codec";
 * import assert from "node:assert/strict";
 *
 * const options: DecoderOptions = { version: 5, maxPacketSize: 65536 };
 * const decoder = new Decoder(options);
 * // The fixed header of a PUBLISH of 100,000 bytes is enough to refuse it.
 * assert.throws(
 *   () => decoder.push(new Uint8Array([0x30, 0xa0, 0x8d, 0x06])),
 *   (error: unknown) => error instanceof MalformedPacketError && error.reasonCode === 0x95,
 * );
 * ```
 */
export interface DecoderOptions {
  /** The protocol version of the packets; a CONNECT switches it to the level it declares. */
  version: ProtocolVersion;
  /**
   * The largest packet accepted, in bytes, fixed header included (MQTT 5 Maximum Packet
   * Size). A larger packet is refused from its fixed header, before it is buffered, with a
   * {@linkcode MalformedPacketError} carrying reason code 0x95. Default: 268,435,460.
   */
  maxPacketSize?: number;
  /**
   * A precompiled codec module, for runtimes that forbid compiling WebAssembly from bytes
   * (Cloudflare Workers, Vercel Edge); see {@linkcode codecWasmBytes}. Default: the embedded one.
   */
  wasmModule?: WebAssembly.Module;
}

// Bytes of a chunk copied into WebAssembly memory per decode call. A huge chunk goes in
// window by window, so the memory held stays bounded by maxPacketSize plus one window
// (an oversized packet is refused from the window holding its header).
const WINDOW = PAGE;

// A decoder dropped while it held a run (a connection abandoned inside a packet) gives it
// back when collected; a run lent to a read that may still land in it is never reused.
// Runtimes without FinalizationRegistry (workerd at older compatibility dates) rely
// on the explicit lifetime alone: a run is given back once its packet completes, and on
// reset(), which the client calls when each connection ends.
const holders = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<{ host: CodecHost; run: Run }>(({ host, run }) => {
    if (run.capacity !== 0 && run.viewSize === 0) host.release(run.address, run.capacity);
  })
  : undefined;

/**
 * Turns a byte stream into MQTT packets. Feed it chunks as they arrive, split anywhere
 * (even inside the remaining-length field); it returns every packet they complete.
 *
 * Framing, validation, UTF-8 checks and MQTT 5 properties run in WebAssembly, one call
 * per chunk. Strings up to 256 bytes are interned: a topic seen before is neither
 * validated nor decoded again.
 *
 * Payloads and other binary fields are views into one buffer per `push()` that the decoder
 * never touches again, so they stay valid and are never copied per message; they share
 * that buffer, so `payload.buffer` is larger than the payload (use `byteOffset` and
 * `byteLength`, or `slice()` a payload you keep for long).
 *
 * Invalid bytes throw {@linkcode MalformedPacketError} or {@linkcode ProtocolError} naming
 * the packet, field and byte offset; the connection must then be closed, and the decoder
 * throws the same error on every later `push()`.
 *
 * @example Decode a stream split inside a packet
 * ```ts
 * import { Decoder, encode } from "@tern/codec";
 * import assert from "node:assert/strict";
 *
 * const bytes = encode({
 *   type: "publish",
 *   topic: "sensors/device-42/temperature",
 *   payload: new TextEncoder().encode("21.5"),
 *   qos: 0,
 *   retain: false,
 *   dup: false,
 * }, { version: 5 });
 *
 * const decoder = new Decoder({ version: 5 });
 * assert.deepEqual(decoder.push(bytes.subarray(0, 1)), []);
 * const [packet] = decoder.push(bytes.subarray(1));
 * assert.equal(packet.type === "publish" && packet.topic, "sensors/device-42/temperature");
 * ```
 */
export class Decoder {
  #host: CodecHost;
  #version: ProtocolVersion;
  #maxPacketSize: number;
  // Where this decoder's bytes sit in the shared memory: held only while bytes of an
  // incomplete packet are pending or a read view is out, so an idle decoder holds none.
  #run: Run = { address: 0, capacity: 0, viewSize: 0 };
  // Whether #run is known to the finalization registry (from its first allocation on).
  #registered = false;
  // Bytes of an incomplete packet waiting at the start of #run.
  #pending = 0;
  // Stream offset of the first pending byte, for error messages.
  #position = 0;
  #failure?: Error;

  /**
   * Creates a decoder. Decoders share one WebAssembly instance per module, so a decoder
   * that holds no unfinished packet costs no WebAssembly memory.
   */
  constructor(options: DecoderOptions) {
    this.#version = checkVersion(options.version);
    const max = options.maxPacketSize ?? MAX_PACKET_SIZE;
    if (!Number.isInteger(max) || max < 2 || max > MAX_PACKET_SIZE) {
      throw new RangeError(
        `Cannot create decoder: maxPacketSize must be an integer from 2 to ${MAX_PACKET_SIZE}, got ${max}`,
      );
    }
    this.#maxPacketSize = max;
    this.#host = codecHost(options.wasmModule);
  }

  /**
   * The protocol version used for the next packets. Set it when it is learnt later (a
   * server learns it from CONNECT, which the decoder also applies by itself).
   */
  get version(): ProtocolVersion {
    return this.#version;
  }

  set version(version: ProtocolVersion) {
    this.#version = checkVersion(version);
  }

  /** The largest packet accepted, in bytes. */
  get maxPacketSize(): number {
    return this.#maxPacketSize;
  }

  /** Bytes received but not yet part of a complete packet. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /**
   * Decodes the packets that `chunk` completes. The chunk is copied; the caller may reuse it.
   *
   * @throws {MalformedPacketError} The bytes are not a valid packet (0x81, 0x95).
   * @throws {ProtocolError} The packet breaks a protocol rule (0x82 or a more specific code).
   */
  push(chunk: Uint8Array): Packet[] {
    if (this.#failure) throw this.#failure;
    this.#run.viewSize = 0;
    const packets: Packet[] = [];
    let offset = 0;
    do {
      const n = Math.min(chunk.length - offset, WINDOW);
      this.#reserve(this.#pending + n);
      this.#host.bytes.set(
        n === chunk.length ? chunk : chunk.subarray(offset, offset + n),
        this.#run.address + this.#pending,
      );
      this.#decode(n, packets);
      offset += n;
    } while (offset < chunk.length);
    return packets;
  }

  /**
   * A view of the decoder's own memory for the next bytes to be read into directly, saving
   * the copy `push()` makes: `const n = await conn.read(decoder.readView())`, then
   * `decoder.commit(n)`. The view is valid until the next call on the decoder, even when
   * other decoders grow the shared memory meanwhile (it is never moved, only detached: a
   * read already under way still lands in it).
   *
   * @example Read from a connection without copying
   * ```ts ignore
   * import { Decoder } from "@tern/codec";
   *
   * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 1883 });
   * const decoder = new Decoder({ version: 5 });
   * for (let n; (n = await conn.read(decoder.readView())) !== null;) {
   *   for (const packet of decoder.commit(n)) console.log(packet.type);
   * }
   * ```
   */
  readView(size: number = WINDOW): Uint8Array {
    if (this.#failure) throw this.#failure;
    if (!Number.isInteger(size) || size < 1 || size > WINDOW) {
      throw new RangeError(
        `Cannot reserve a read view: size must be an integer from 1 to ${WINDOW}, got ${size}`,
      );
    }
    this.#reserve(this.#pending + size);
    this.#run.viewSize = size;
    const start = this.#run.address + this.#pending;
    return this.#host.bytes.subarray(start, start + size);
  }

  /**
   * Decodes the `bytesRead` bytes just read into the view from `readView()`.
   *
   * @throws {MalformedPacketError} The bytes are not a valid packet (0x81, 0x95).
   * @throws {ProtocolError} The packet breaks a protocol rule (0x82 or a more specific code).
   */
  commit(bytesRead: number): Packet[] {
    if (this.#failure) throw this.#failure;
    const viewSize = this.#run.viewSize;
    if (!Number.isInteger(bytesRead) || bytesRead < 0 || bytesRead > viewSize) {
      throw new RangeError(
        `Cannot commit ${bytesRead} bytes: expected an integer from 0 to ${viewSize}, the size of the last readView()`,
      );
    }
    this.#run.viewSize = 0;
    const packets: Packet[] = [];
    this.#decode(bytesRead, packets);
    return packets;
  }

  // Decodes the pending bytes plus `n` new ones placed right after them.
  #decode(n: number, packets: Packet[]): void {
    const host = this.#host;
    const input = this.#run.address;
    const length = this.#pending + n;
    let start = 0;
    while (start < length) {
      const consumed = host.codec.decode(
        input + start,
        length - start,
        host.tape,
        host.tapeCapacity,
        this.#version,
        this.#maxPacketSize,
      );
      if (consumed === abi.DECODE_TAPE_TOO_SMALL) {
        this.#growTape();
        continue;
      }
      if (consumed === abi.DECODE_FAILED) throw this.#fail(input);
      const version = this.#version;
      this.#version = host.words[host.status + abi.S_VERSION] as ProtocolVersion;
      if (consumed === 0) break;
      readTape(host, { base: input + start, consumed, version }, packets);
      start += consumed;
      // Usually one call frames everything the window completes; another only if the tape
      // filled up first.
      if (host.words[host.status + abi.S_TAPE_RAN_OUT] === 0) break;
    }
    if (start > 0) {
      host.bytes.copyWithin(input, input + start, input + length);
      this.#position += start;
    }
    this.#pending = length - start;
    if (this.#pending === 0) this.#releaseRun();
  }

  /**
   * Bytes of WebAssembly memory this decoder holds now: none between packets, the size of
   * its unfinished packet and read view otherwise (rounded up to a power of two from 1 KiB).
   */
  get memoryBytes(): number {
    return this.#run.capacity;
  }

  /**
   * Starts over for a new connection: forgets pending bytes and a failure, gives back the
   * memory they held, and keeps the options.
   *
   * @example Reuse a decoder after a reconnect
   * ```ts
   * import { Decoder } from "@tern/codec";
   * import assert from "node:assert/strict";
   *
   * const decoder = new Decoder({ version: 4 });
   * assert.throws(() => decoder.push(new Uint8Array([0x00, 0x00])));
   * decoder.reset();
   * assert.deepEqual(decoder.push(new Uint8Array([0xd0, 0x00])), [{ type: "pingresp" }]);
   * ```
   */
  reset(): void {
    this.#pending = 0;
    this.#position = 0;
    this.#failure = undefined;
    this.#run.viewSize = 0;
    this.#releaseRun();
  }

  /**
   * Declares the end of the stream (the connection closed). Throws when it ended inside a
   * packet: bytes of an incomplete packet are a malformed packet, not a silent loss.
   *
   * @throws {MalformedPacketError} Bytes of an incomplete packet are pending.
   */
  end(): void {
    if (this.#failure) throw this.#failure;
    if (this.#pending > 0) {
      this.#failure = new MalformedPacketError(
        `Cannot decode: the stream ended inside a packet (${this.#pending} bytes pending from byte ${this.#position} of the stream)`,
        { offset: this.#position + this.#pending },
      );
      throw this.#failure;
    }
  }

  // Makes room for `bytes` bytes from the start of the run, keeping the pending ones.
  #reserve(bytes: number): void {
    const run = this.#run;
    if (bytes <= run.capacity) return;
    const host = this.#host;
    const wanted = run.capacity === 0
      ? bytes
      : Math.max(bytes, Math.min(run.capacity * 2, this.#maxPacketSize + WINDOW));
    let address: number;
    try {
      address = host.allocate(wanted);
    } catch (cause) {
      throw this.#outOfMemory(`${bytes} bytes of packet`, cause);
    }
    if (run.capacity !== 0) {
      host.bytes.copyWithin(address, run.address, run.address + this.#pending);
      host.release(run.address, run.capacity);
    } else if (!this.#registered) {
      this.#registered = true;
      holders?.register(this, { host, run });
    }
    run.address = address;
    run.capacity = runCapacity(wanted);
  }

  #releaseRun(): void {
    const run = this.#run;
    if (run.capacity === 0 || run.viewSize !== 0) return;
    this.#host.release(run.address, run.capacity);
    run.address = 0;
    run.capacity = 0;
  }

  #growTape(): void {
    try {
      this.#host.growTape();
    } catch (cause) {
      throw this.#outOfMemory("the decoded fields", cause);
    }
  }

  // Only a packet near a huge maxPacketSize runs memory out: refused like a too-large one.
  #outOfMemory(what: string, cause: unknown): Error {
    this.#failure = new MalformedPacketError(`Cannot decode: no memory for ${what}`, {
      reasonCode: 0x95,
      offset: this.#position,
      cause,
    });
    return this.#failure;
  }

  #fail(input: number): Error {
    const words = this.#host.words;
    const status = this.#host.status;
    const streamOffset = (address: number) => this.#position + (address - input);
    this.#failure = decodeError({
      code: words[status + abi.S_CODE],
      field: words[status + abi.S_FIELD],
      packetType: words[status + abi.S_TYPE],
      offset: streamOffset(words[status + abi.S_OFFSET] >>> 0),
      packetOffset: streamOffset(words[status + abi.S_PACKET] >>> 0),
    });
    return this.#failure;
  }
}

function checkVersion(version: unknown): ProtocolVersion {
  if (version !== 4 && version !== 5) {
    throw new RangeError(
      `Cannot use protocol version ${version}: expected 4 (MQTT 3.1.1) or 5 (MQTT 5.0)`,
    );
  }
  return version;
}
