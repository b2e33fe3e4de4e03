// The TypeScript half of decoding: turns the tape of records that the WebAssembly decoder
// wrote (codec-wasm/assembly/tape.ts) into packet objects.
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
import type { CodecHost } from "./_codec_host.ts";
import {
  CONNACK,
  CONNECT,
  DISCONNECT,
  PACKET_TYPES,
  PINGREQ,
  PINGRESP,
  PUBACK,
  PUBCOMP,
  PUBLISH,
  PUBREC,
  PUBREL,
  SUBACK,
  SUBSCRIBE,
  UNSUBACK,
  UNSUBSCRIBE,
} from "./_packet_types.ts";
import * as abi from "./_wasm_abi.ts";

/** Where the bytes of one decode call sit, and the protocol version they started in. */
export interface TapeSpan {
  /** Address of the first byte in WebAssembly memory. */
  base: number;
  /** Bytes of whole packets the call consumed. */
  consumed: number;
  /** The version in force at `base`; a CONNECT on the tape switches it. */
  version: ProtocolVersion;
}

const RECORD_WORDS = abi.RECORD_BYTES >>> 2;
const STRING_NON_ASCII = 1 << abi.STRING_NON_ASCII_SHIFT;

const textDecoder = new TextDecoder();

/**
 * Builds the packets of the tape that one decode call wrote over `span` and appends them
 * to `packets`.
 */
export function readTape(host: CodecHost, span: TapeSpan, packets: Packet[]): void {
  const { base, consumed } = span;
  let version = span.version;
  const { words, bytes, status } = host;
  let k = host.tape >>> 2;
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
        text = readString(host, a, b);
        break;
      case abi.T_PAYLOAD:
        payload = binary(a, b);
        break;
      case abi.T_END: {
        let packet: Packet;
        switch (type) {
          case PUBLISH: {
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
          case PUBACK:
          case PUBREC:
          case PUBREL:
          case PUBCOMP:
            packet = {
              type: PACKET_TYPES[type] as PublishAckPacket["type"],
              packetId,
              reasonCode,
            };
            break;
          case CONNECT:
            packet = buildConnect(connect!);
            break;
          case CONNACK:
            packet = { type: "connack", sessionPresent: flags === 1, reasonCode };
            break;
          case SUBSCRIBE:
            packet = { type: "subscribe", packetId, subscriptions };
            subscriptions = [];
            break;
          case SUBACK:
          case UNSUBACK:
            packet = {
              type: type === SUBACK ? "suback" : "unsuback",
              packetId,
              reasonCodes: codes,
            };
            codes = [];
            break;
          case UNSUBSCRIBE:
            packet = { type: "unsubscribe", packetId, topicFilters: filters };
            filters = [];
            break;
          case PINGREQ:
            packet = { type: "pingreq" };
            break;
          case PINGRESP:
            packet = { type: "pingresp" };
            break;
          default:
            packet = { type: type === DISCONNECT ? "disconnect" : "auth", reasonCode };
        }
        if (properties) (packet as { properties?: Properties }).properties = properties;
        packets.push(packet);
        break;
      }
      case abi.T_USER_KEY:
        userKey = readString(host, a, b);
        break;
      case abi.T_USER_VALUE: {
        const target = inWill ? connect!.willProperties ??= {} : properties ??= {};
        const pair: [string, string] = [userKey, readString(host, a, b)];
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
        connect!.clientId = readString(host, a, b);
        break;
      case abi.T_WILL_PROPERTIES:
        inWill = true;
        break;
      case abi.T_WILL_TOPIC:
        connect!.willTopic = readString(host, a, b);
        break;
      case abi.T_WILL_PAYLOAD:
        connect!.willPayload = binary(a, b);
        break;
      case abi.T_USERNAME:
        connect!.username = readString(host, a, b);
        break;
      case abi.T_PASSWORD:
        connect!.password = binary(a, b);
        break;
      case abi.T_CONNACK_FLAGS:
        flags = a;
        break;
      case abi.T_FILTER:
        text = readString(host, a, b);
        if (type === UNSUBSCRIBE) filters.push(text);
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
            target.contentType = readString(host, a, b);
            break;
          case 0x08:
            target.responseTopic = readString(host, a, b);
            break;
          case 0x09:
            target.correlationData = binary(a, b);
            break;
          case 0x0b:
            if (type === PUBLISH) (target.subscriptionIdentifiers ??= []).push(a);
            else target.subscriptionIdentifier = a;
            break;
          case 0x11:
            target.sessionExpiryInterval = a;
            break;
          case 0x12:
            target.assignedClientIdentifier = readString(host, a, b);
            break;
          case 0x13:
            target.serverKeepAlive = a;
            break;
          case 0x15:
            target.authenticationMethod = readString(host, a, b);
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
            target.responseInformation = readString(host, a, b);
            break;
          case 0x1c:
            target.serverReference = readString(host, a, b);
            break;
          case 0x1f:
            target.reasonString = readString(host, a, b);
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

function readString(host: CodecHost, address: number, word: number): string {
  const idPlus1 = (word >>> abi.STRING_ID_SHIFT) & abi.STRING_ID_MASK;
  // The new bit is bit 31 (STRING_NEW_SHIFT): a negative word marks an interned string the
  // decoder announces for the first time.
  const strings = host.strings;
  if (idPlus1 !== 0 && word >= 0) return strings[idPlus1 - 1];
  const length = word & abi.STRING_LENGTH_MASK;
  const text = (word & STRING_NON_ASCII) === 0 && length <= 32
    ? ascii(host.bytes, address, length)
    : textDecoder.decode(host.bytes.subarray(address, address + length));
  if (idPlus1 !== 0) strings[idPlus1 - 1] = text;
  return text;
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
