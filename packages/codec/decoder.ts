/**
 * The streaming packet decoder.
 *
 * @module
 */
import type {
  ConnectPacket,
  Packet,
  ProtocolVersion,
  PublishAckPacket,
  QoS,
  Subscription,
  UserProperties,
  Will,
} from "./packet.ts";
import { type CodecHost, codecHost, PAGE, type Run, runCapacity } from "./_codec_host.ts";
import { decodeError } from "./_decode_errors.ts";
import { MalformedPacketError } from "./errors.ts";
import { PACKET_TYPES } from "./_packet_types.ts";
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
const RECORD_WORDS = abi.RECORD_BYTES >>> 2;
const STRING_NON_ASCII = 1 << abi.STRING_NON_ASCII_SHIFT;

const textDecoder = new TextDecoder();

// A decoder dropped while it held a run (a connection abandoned inside a packet) gives it
// back when collected; a run lent to a read that may still land in it is never reused.
const holders = new FinalizationRegistry<{ host: CodecHost; run: Run }>(({ host, run }) => {
  if (run.capacity !== 0 && run.viewSize === 0) host.release(run.address, run.capacity);
});

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
      if (consumed === -2) {
        this.#growTape();
        continue;
      }
      if (consumed === -1) throw this.#fail(input);
      const version = this.#version;
      this.#version = host.words[host.status + abi.S_VERSION] as ProtocolVersion;
      if (consumed === 0) break;
      this.#read(input + start, consumed, version, packets);
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
      holders.register(this, { host, run });
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

  #string(address: number, word: number): string {
    const idPlus1 = (word >>> abi.STRING_ID_SHIFT) & abi.STRING_ID_MASK;
    // The new bit is bit 31 (STRING_NEW_SHIFT): a negative word marks an interned string the
    // decoder announces for the first time.
    const strings = this.#host.strings;
    if (idPlus1 !== 0 && word >= 0) return strings[idPlus1 - 1];
    const length = word & abi.STRING_LENGTH_MASK;
    const text = (word & STRING_NON_ASCII) === 0 && length <= 32
      ? ascii(this.#host.bytes, address, length)
      : textDecoder.decode(this.#host.bytes.subarray(address, address + length));
    if (idPlus1 !== 0) strings[idPlus1 - 1] = text;
    return text;
  }

  // Builds packets from the tape of one decode call over `consumed` bytes at `base`.
  #read(base: number, consumed: number, version: ProtocolVersion, packets: Packet[]): void {
    const { words, bytes, status } = this.#host;
    let k = this.#host.tape >>> 2;
    const end = k + words[status + abi.S_RECORDS] * RECORD_WORDS;
    // One copy of this call's bytes holds every payload: no ArrayBuffer per message.
    let slab: ArrayBuffer | undefined;
    const binary = (address: number, length: number): Uint8Array => {
      slab ??= bytes.slice(base, base + consumed).buffer;
      return new Uint8Array(slab, address - base, length);
    };

    let type = 0;
    let flags = 0;
    let packetId = 0;
    let reasonCode = 0;
    let text = "";
    let payload: Uint8Array | undefined;
    let properties: Properties | undefined;
    let inWill = false;
    let userKey = "";
    let connect: ConnectFields | undefined;
    let subscriptions: Subscription[] = [];
    let filters: string[] = [];
    let codes: number[] = [];

    for (; k < end; k += RECORD_WORDS) {
      const tag = words[k];
      // Addresses are unsigned (memory may pass 2 GiB); values fit 31 bits or are read >>> 0.
      const a = words[k + 1] >>> 0;
      const b = words[k + 2];
      switch (tag) {
        case abi.T_PACKET:
          type = a >>> 4;
          flags = a & 15;
          reasonCode = 0;
          properties = undefined;
          inWill = false;
          break;
        case abi.T_PACKET_ID:
          packetId = a;
          break;
        case abi.T_REASON:
          reasonCode = a;
          break;
        case abi.T_TOPIC:
          text = this.#string(a, b);
          break;
        case abi.T_PAYLOAD:
          payload = binary(a, b);
          break;
        case abi.T_END: {
          let packet: Packet;
          switch (type) {
            case 3: {
              const qos = ((flags >>> 1) & 3) as QoS;
              packet = qos > 0
                ? {
                  type: "publish",
                  topic: text,
                  payload: payload!,
                  qos,
                  retain: (flags & 1) !== 0,
                  dup: (flags & 8) !== 0,
                  packetId,
                }
                : {
                  type: "publish",
                  topic: text,
                  payload: payload!,
                  qos,
                  retain: (flags & 1) !== 0,
                  dup: (flags & 8) !== 0,
                };
              break;
            }
            case 4:
            case 5:
            case 6:
            case 7:
              packet = {
                type: PACKET_TYPES[type] as PublishAckPacket["type"],
                packetId,
                reasonCode,
              };
              break;
            case 1:
              packet = buildConnect(connect!);
              break;
            case 2:
              packet = { type: "connack", sessionPresent: flags === 1, reasonCode };
              break;
            case 8:
              packet = { type: "subscribe", packetId, subscriptions };
              subscriptions = [];
              break;
            case 9:
            case 11:
              packet = { type: type === 9 ? "suback" : "unsuback", packetId, reasonCodes: codes };
              codes = [];
              break;
            case 10:
              packet = { type: "unsubscribe", packetId, topicFilters: filters };
              filters = [];
              break;
            case 12:
              packet = { type: "pingreq" };
              break;
            case 13:
              packet = { type: "pingresp" };
              break;
            default:
              packet = { type: type === 14 ? "disconnect" : "auth", reasonCode };
          }
          if (properties) (packet as { properties?: Properties }).properties = properties;
          packets.push(packet);
          break;
        }
        case abi.T_USER_KEY:
          userKey = this.#string(a, b);
          break;
        case abi.T_USER_VALUE: {
          const target = inWill ? connect!.willProperties ??= {} : properties ??= {};
          const pair: [string, string] = [userKey, this.#string(a, b)];
          if (target.userProperties) target.userProperties.push(pair);
          else target.userProperties = [pair];
          break;
        }
        case abi.T_CONNECT:
          version = a as ProtocolVersion;
          connect = {
            flags: b,
            keepAlive: 0,
            clientId: "",
            willTopic: "",
            willPayload: undefined,
            willProperties: undefined,
            username: undefined,
            password: undefined,
          };
          break;
        case abi.T_KEEP_ALIVE:
          connect!.keepAlive = a;
          break;
        case abi.T_CLIENT_ID:
          connect!.clientId = this.#string(a, b);
          break;
        case abi.T_WILL_PROPERTIES:
          inWill = true;
          break;
        case abi.T_WILL_TOPIC:
          connect!.willTopic = this.#string(a, b);
          break;
        case abi.T_WILL_PAYLOAD:
          connect!.willPayload = binary(a, b);
          break;
        case abi.T_USERNAME:
          connect!.username = this.#string(a, b);
          break;
        case abi.T_PASSWORD:
          connect!.password = binary(a, b);
          break;
        case abi.T_CONNACK_FLAGS:
          flags = a;
          break;
        case abi.T_FILTER:
          text = this.#string(a, b);
          if (type === 10) filters.push(text);
          break;
        case abi.T_OPTIONS:
          subscriptions.push(
            version === 5
              ? {
                topicFilter: text,
                qos: (a & 3) as QoS,
                noLocal: (a & 4) !== 0,
                retainAsPublished: (a & 8) !== 0,
                retainHandling: ((a >>> 4) & 3) as 0 | 1 | 2,
              }
              : { topicFilter: text, qos: (a & 3) as QoS },
          );
          break;
        case abi.T_CODES:
          codes = Array.from(bytes.subarray(a, a + b));
          break;
        default: {
          const target = inWill ? connect!.willProperties ??= {} : properties ??= {};
          // Each property is stored under its literal name, so every store site stays
          // monomorphic (a computed name would go through V8's megamorphic keyed store).
          switch (tag - abi.T_PROPERTY) {
            case 0x01:
              target.payloadFormatIndicator = a as 0 | 1;
              break;
            case 0x02:
              target.messageExpiryInterval = a;
              break;
            case 0x03:
              target.contentType = this.#string(a, b);
              break;
            case 0x08:
              target.responseTopic = this.#string(a, b);
              break;
            case 0x09:
              target.correlationData = binary(a, b);
              break;
            case 0x0b:
              if (type === 3) (target.subscriptionIdentifiers ??= []).push(a);
              else target.subscriptionIdentifier = a;
              break;
            case 0x11:
              target.sessionExpiryInterval = a;
              break;
            case 0x12:
              target.assignedClientIdentifier = this.#string(a, b);
              break;
            case 0x13:
              target.serverKeepAlive = a;
              break;
            case 0x15:
              target.authenticationMethod = this.#string(a, b);
              break;
            case 0x16:
              target.authenticationData = binary(a, b);
              break;
            case 0x17:
              target.requestProblemInformation = a === 1;
              break;
            case 0x18:
              target.willDelayInterval = a;
              break;
            case 0x19:
              target.requestResponseInformation = a === 1;
              break;
            case 0x1a:
              target.responseInformation = this.#string(a, b);
              break;
            case 0x1c:
              target.serverReference = this.#string(a, b);
              break;
            case 0x1f:
              target.reasonString = this.#string(a, b);
              break;
            case 0x21:
              target.receiveMaximum = a;
              break;
            case 0x22:
              target.topicAliasMaximum = a;
              break;
            case 0x23:
              target.topicAlias = a;
              break;
            case 0x24:
              target.maximumQoS = a as 0 | 1;
              break;
            case 0x25:
              target.retainAvailable = a === 1;
              break;
            case 0x27:
              target.maximumPacketSize = a;
              break;
            case 0x28:
              target.wildcardSubscriptionAvailable = a === 1;
              break;
            case 0x29:
              target.subscriptionIdentifiersAvailable = a === 1;
              break;
            case 0x2a:
              target.sharedSubscriptionAvailable = a === 1;
              break;
          }
        }
      }
    }
  }
}

// Every property any packet may carry: the decoder fills one of these per packet, and
// the validation in WebAssembly guarantees only the packet's own properties appear.
interface Properties {
  payloadFormatIndicator?: 0 | 1;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Uint8Array;
  subscriptionIdentifier?: number;
  subscriptionIdentifiers?: number[];
  sessionExpiryInterval?: number;
  assignedClientIdentifier?: string;
  serverKeepAlive?: number;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
  requestProblemInformation?: boolean;
  willDelayInterval?: number;
  requestResponseInformation?: boolean;
  responseInformation?: string;
  serverReference?: string;
  reasonString?: string;
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  topicAlias?: number;
  maximumQoS?: 0 | 1;
  retainAvailable?: boolean;
  userProperties?: UserProperties;
  maximumPacketSize?: number;
  wildcardSubscriptionAvailable?: boolean;
  subscriptionIdentifiersAvailable?: boolean;
  sharedSubscriptionAvailable?: boolean;
}

interface ConnectFields {
  flags: number;
  keepAlive: number;
  clientId: string;
  willTopic: string;
  willPayload: Uint8Array | undefined;
  willProperties: Properties | undefined;
  username: string | undefined;
  password: Uint8Array | undefined;
}

function buildConnect(fields: ConnectFields): ConnectPacket {
  const flags = fields.flags;
  const packet: ConnectPacket = {
    type: "connect",
    clientId: fields.clientId,
    cleanStart: (flags & 2) !== 0,
    keepAlive: fields.keepAlive,
  };
  if (fields.username !== undefined) packet.username = fields.username;
  if (fields.password !== undefined) packet.password = fields.password;
  if ((flags & 4) !== 0) {
    const will: Will = {
      topic: fields.willTopic,
      payload: fields.willPayload!,
      qos: ((flags >>> 3) & 3) as QoS,
      retain: (flags & 0x20) !== 0,
    };
    if (fields.willProperties) will.properties = fields.willProperties;
    packet.will = will;
  }
  return packet;
}

function ascii(bytes: Uint8Array, address: number, length: number): string {
  let text = "";
  for (let i = address; i < address + length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

function checkVersion(version: unknown): ProtocolVersion {
  if (version !== 4 && version !== 5) {
    throw new RangeError(
      `Cannot use protocol version ${version}: expected 4 (MQTT 3.1.1) or 5 (MQTT 5.0)`,
    );
  }
  return version;
}
