// The tape: what one decode call hands back to TypeScript. Each record is three i32
// (tag, a, b). Offsets are memory addresses. build.ts writes the constants of this file
// to packages/codec/_wasm_abi.ts, which the TypeScript reader imports.

export const RECORD_BYTES: i32 = 12; // one record: tag, a, b

// What decode() returns instead of the bytes consumed.
export const DECODE_FAILED: i32 = -1; // an error, described in the status block
export const DECODE_TAPE_TOO_SMALL: i32 = -2; // the first packet alone does not fit the tape

export const T_PACKET: i32 = 1; // a: first byte, b: address of the packet
export const T_END: i32 = 2; // the fields of the packet of the last T_PACKET are complete
export const T_PACKET_ID: i32 = 3; // a: packet identifier
export const T_REASON: i32 = 4; // a: reason code (or 3.1.1 return code)
export const T_CONNECT: i32 = 5; // a: protocol level, b: connect flags
export const T_KEEP_ALIVE: i32 = 6; // a: seconds
export const T_CLIENT_ID: i32 = 7; // string
export const T_WILL_PROPERTIES: i32 = 8; // properties after this belong to the will
export const T_WILL_TOPIC: i32 = 9; // string
export const T_WILL_PAYLOAD: i32 = 10; // binary
export const T_USERNAME: i32 = 11; // string
export const T_PASSWORD: i32 = 12; // binary
export const T_CONNACK_FLAGS: i32 = 13; // a: flags
export const T_TOPIC: i32 = 14; // string
export const T_PAYLOAD: i32 = 15; // binary
export const T_FILTER: i32 = 16; // string
export const T_OPTIONS: i32 = 17; // a: subscription options byte
export const T_CODES: i32 = 18; // a: offset, b: count of one-byte reason codes
export const T_USER_KEY: i32 = 19; // string
export const T_USER_VALUE: i32 = 20; // string
export const T_PROPERTY: i32 = 0x100; // plus a property identifier: a number, a string or a binary by identifier

// Strings: a = offset, b = length | non-ASCII << 16 | (intern id + 1) << 17 | new << 31,
// "new" marking an interned string announced for the first time.
// Binaries: a = offset, b = length.
export const STRING_LENGTH_MASK: i32 = 0xffff; // the length bits of b
export const STRING_NON_ASCII_SHIFT: i32 = 16; // the bit set in b when a byte is >= 0x80
export const STRING_ID_SHIFT: i32 = 17; // where intern id + 1 starts in b (0: not interned)
export const STRING_ID_MASK: i32 = 0x3fff; // the bits of intern id + 1 after the shift
export const STRING_NEW_SHIFT: i32 = 31; // the bit set in b on an interned string's first use

let tapeEnd: usize = 0;
let tapePos: usize = 0;
let tapeFull: bool = false;

/** Starts a tape of `capacity` bytes at `ptr`. */
export function tapeStart(ptr: usize, capacity: usize): void {
  tapePos = ptr;
  tapeEnd = ptr + capacity;
  tapeFull = false;
}

/** Where the next record goes. */
export function tapeMark(): usize {
  return tapePos;
}

/** Drops the records written after `mark`. */
export function tapeRollback(mark: usize): void {
  tapePos = mark;
}

/** Whether a record was dropped for lack of room. */
export function tapeOverflowed(): bool {
  return tapeFull;
}

// @ts-ignore: decorator
@inline export function emit(tag: i32, a: i32, b: i32): void {
  if (tapePos + RECORD_BYTES > tapeEnd) {
    tapeFull = true;
    return;
  }
  store<i32>(tapePos, tag);
  store<i32>(tapePos, a, 4);
  store<i32>(tapePos, b, 8);
  tapePos += RECORD_BYTES;
}
