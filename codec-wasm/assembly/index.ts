// The packet decoder: frames every complete packet in the input, validates it and
// writes its fields to the tape, in one call per chunk.
import { DYNAMIC_BASE, S_RECORDS, S_TAPE_RAN_OUT, S_VERSION, STATUS } from "./layout";
import { internNewPacket, internReset } from "./intern";
import {
  DECODE_FAILED,
  DECODE_TAPE_TOO_SMALL,
  emit,
  RECORD_BYTES,
  T_END,
  T_PACKET,
  tapeMark,
  tapeOverflowed,
  tapeRollback,
  tapeStart,
} from "./tape";
import {
  E_DUP_QOS0,
  E_PACKET_TYPE,
  E_QOS3,
  E_RESERVED_FLAGS,
  E_TOO_LARGE,
  E_VARINT,
} from "./errors";
import { end, fail, failed, packetStart, packetType, pos, version } from "./reader";
import { decodeBody, requiredFlags } from "./packets";

/** Where the TypeScript side may start placing the input buffer and the tape. */
export function dynamicBase(): usize {
  return DYNAMIC_BASE;
}

/** Where the status block lives (see layout.ts). */
export function statusPtr(): usize {
  return STATUS;
}

/**
 * Decodes every complete packet in `input[0, length)`, writing records to the tape at
 * `tape` (at most `tapeCapacity` bytes). Returns the bytes consumed (whole packets only);
 * DECODE_FAILED on an error (described in the status block); DECODE_TAPE_TOO_SMALL when
 * the first packet alone does not fit the tape. Status word S_RECORDS receives the number
 * of records, S_VERSION the version in force, S_TAPE_RAN_OUT whether it stopped for lack
 * of tape (more complete packets may follow).
 */
export function decode(
  input: usize,
  length: usize,
  tape: usize,
  tapeCapacity: usize,
  protocolVersion: i32,
  maxPacketSize: u32,
): i32 {
  tapeStart(tape, tapeCapacity);
  failed = false;
  version = protocolVersion;
  const limit = input + length;
  packetStart = input;
  let result: i32 = 0;
  let tapeRanOut: i32 = 0;
  while (packetStart < limit) {
    const b0 = <u32> load<u8>(packetStart);
    packetType = <i32> (b0 >>> 4);
    const flags = b0 & 15;
    if (packetType == 0 || (packetType == 15 && version != 5)) {
      fail(E_PACKET_TYPE, packetStart, T_PACKET);
      break;
    }
    if (packetType == 3) {
      if (((flags >>> 1) & 3) == 3) {
        fail(E_QOS3, packetStart, T_PACKET);
        break;
      }
      // [MQTT-3.3.1-2] DUP is 0 on every QoS 0 message.
      if ((flags & 0x0e) == 0x08) {
        fail(E_DUP_QOS0, packetStart, T_PACKET);
        break;
      }
    } else if (flags != requiredFlags(packetType)) {
      fail(E_RESERVED_FLAGS, packetStart, T_PACKET);
      break;
    }
    // The remaining length: at most four bytes [MQTT-1.5.5-1]; stop if it is incomplete.
    let remaining: u32 = 0;
    let headerLength: u32 = 0;
    for (let i: u32 = 0; i < 4; i++) {
      if (packetStart + 1 + i >= limit) break;
      const b = <u32> load<u8>(packetStart + 1 + i);
      remaining |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        headerLength = 2 + i;
        break;
      }
      if (i == 3) fail(E_VARINT, packetStart + 4, T_PACKET);
    }
    if (failed || headerLength == 0) break;
    const total = headerLength + remaining;
    // Refused from the fixed header alone, before any of the body is buffered.
    if (total > maxPacketSize) {
      fail(E_TOO_LARGE, packetStart, T_PACKET);
      break;
    }
    if (packetStart + total > limit) break;
    const recordsAt = tapeMark();
    const versionBefore = version;
    emit(T_PACKET, <i32> b0, <i32> packetStart);
    internNewPacket();
    pos = packetStart + headerLength;
    end = packetStart + total;
    decodeBody(packetType, flags);
    if (failed) break;
    emit(T_END, 0, 0);
    if (tapeOverflowed()) {
      // Undo the packet; its interned strings may have been announced on the lost records,
      // so forget them all rather than leave ids the other side never saw.
      tapeRollback(recordsAt);
      version = versionBefore;
      internReset();
      if (recordsAt == tape) result = DECODE_TAPE_TOO_SMALL;
      tapeRanOut = 1;
      break;
    }
    packetStart += total;
  }
  store<i32>(STATUS, <i32> ((tapeMark() - tape) / RECORD_BYTES), S_RECORDS << 2);
  store<i32>(STATUS, version, S_VERSION << 2);
  store<i32>(STATUS, tapeRanOut, S_TAPE_RAN_OUT << 2);
  if (failed) {
    // The caller drops this call's records, and with them the announcements of strings
    // interned meanwhile: forget every interned string rather than leave ids it never saw
    // (the table is shared by every decoder of the instance, so it outlives this stream).
    internReset();
    return DECODE_FAILED;
  }
  if (result < 0) return result;
  return <i32> (packetStart - input);
}
