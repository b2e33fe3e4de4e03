// Fixed regions of linear memory, after the compiler's static data. The input buffer and
// the tape that follow them are placed and sized by the TypeScript side (see ../../packages/codec/_codec_host.ts).

// @ts-ignore: decorator
export const ALIGN: usize = 16;

// Status block: [0] tape records written, [1] error code, [2] error offset, [3] error field,
// [4] error packet type, [5] protocol version in force, [6] address of the failing packet,
// [7] 1 when decoding stopped for lack of tape (call again), 0 when the input ran out.
export const STATUS: usize = (__heap_base + ALIGN - 1) & ~(ALIGN - 1);

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
