// Fixed regions of linear memory, after the compiler's static data. The input buffer and
// the tape that follow them are placed and sized by the TypeScript side (see ../../packages/codec/_codec_host.ts).

// @ts-ignore: decorator
export const ALIGN: usize = 16;

// Status block: one i32 word per S_* index below, read by the TypeScript side.
export const STATUS: usize = (__heap_base + ALIGN - 1) & ~(ALIGN - 1);

// Status words. build.ts writes them to packages/codec/_wasm_abi.ts.
export const S_RECORDS: i32 = 0; // tape records written
export const S_CODE: i32 = 1; // error code (errors.ts)
export const S_OFFSET: i32 = 2; // address of the offending byte
export const S_FIELD: i32 = 3; // tape tag of the field being read
export const S_TYPE: i32 = 4; // packet type being decoded
export const S_VERSION: i32 = 5; // protocol version in force after the call
export const S_PACKET: i32 = 6; // address of the failing packet
export const S_TAPE_RAN_OUT: i32 = 7; // 1 when decoding stopped for lack of tape (call again), 0 when the input ran out

// @ts-ignore: decorator
export const STATUS_SIZE: usize = 64;

// Open-addressed hash table of interned strings: 16-byte slots (hash, offset, length|flags, id+1).
export const INTERN_SLOTS: usize = STATUS + STATUS_SIZE;

// @ts-ignore: decorator
export const INTERN_SLOT_COUNT: u32 = 16384;

// @ts-ignore: decorator
export const INTERN_MAX_IDS: u32 = 8192;
// Bytes of interned strings, kept so a lookup can compare against them after the input moved on.
export const INTERN_STORE: usize = INTERN_SLOTS + (<usize> INTERN_SLOT_COUNT << 4);

// @ts-ignore: decorator
export const INTERN_STORE_SIZE: u32 = 512 * 1024;

// @ts-ignore: decorator
export const INTERN_MAX_LENGTH: u32 = 256;

/** Where the TypeScript side may start placing the input buffer. */
export const DYNAMIC_BASE: usize = INTERN_STORE + INTERN_STORE_SIZE;
