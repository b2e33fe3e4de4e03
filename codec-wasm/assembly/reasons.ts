// The reason codes the specification allows in each packet (MQTT 5 §2.4, MQTT 3.1.1
// §3.2.2.3 and §3.9.3). The TypeScript side's table is in packages/codec/_packet_types.ts;
// packages/codec/wasm_parity_test.ts fails when the two disagree.
import { emit, T_REASON } from "./tape";
import { E_REASON_CODE } from "./errors";
import { fail, failed, packetType, pos, readU8, version } from "./reader";

const PUBACK_CODES = memory.data<u8>([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
const PUBREL_CODES = memory.data<u8>([0x00, 0x92]);
const SUBACK_CODES = memory.data<u8>([
  0x00,
  0x01,
  0x02,
  0x80,
  0x83,
  0x87,
  0x8f,
  0x91,
  0x97,
  0x9e,
  0xa1,
  0xa2,
]);
const SUBACK_V4_CODES = memory.data<u8>([0x00, 0x01, 0x02, 0x80]);
const UNSUBACK_CODES = memory.data<u8>([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]);
const DISCONNECT_CODES = memory.data<u8>([
  0x00,
  0x04,
  0x80,
  0x81,
  0x82,
  0x83,
  0x87,
  0x89,
  0x8b,
  0x8d,
  0x8e,
  0x8f,
  0x90,
  0x93,
  0x94,
  0x95,
  0x96,
  0x97,
  0x98,
  0x99,
  0x9a,
  0x9b,
  0x9c,
  0x9d,
  0x9e,
  0x9f,
  0xa0,
  0xa1,
  0xa2,
]);
const AUTH_CODES = memory.data<u8>([0x00, 0x18, 0x19]);
const CONNACK_CODES = memory.data<u8>([
  0x00,
  0x80,
  0x81,
  0x82,
  0x83,
  0x84,
  0x85,
  0x86,
  0x87,
  0x88,
  0x89,
  0x8a,
  0x8c,
  0x90,
  0x95,
  0x97,
  0x99,
  0x9a,
  0x9b,
  0x9c,
  0x9d,
  0x9f,
]);

function inList(list: usize, count: u32, code: u32): bool {
  for (let i: u32 = 0; i < count; i++) {
    if (<u32> load<u8>(list + i) == code) return true;
  }
  return false;
}

/** Whether a reason code is one the specification lists for this packet type. */
export function validReason(type: i32, code: u32): bool {
  switch (type) {
    case 2:
      return version == 5 ? inList(CONNACK_CODES, 22, code) : code <= 5;
    case 4:
    case 5:
      return inList(PUBACK_CODES, 9, code);
    case 6:
    case 7:
      return inList(PUBREL_CODES, 2, code);
    case 9:
      return version == 5 ? inList(SUBACK_CODES, 12, code) : inList(SUBACK_V4_CODES, 4, code);
    case 11:
      return inList(UNSUBACK_CODES, 7, code);
    case 14:
      return inList(DISCONNECT_CODES, 29, code);
    case 15:
      return inList(AUTH_CODES, 3, code);
  }
  return false;
}

export function readReason(): void {
  const at = pos;
  const code = readU8(T_REASON);
  if (failed) return;
  if (!validReason(packetType, code)) {
    fail(E_REASON_CODE, at, T_REASON);
    return;
  }
  emit(T_REASON, <i32> code, 0);
}
