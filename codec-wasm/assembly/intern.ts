// Interning of short strings, so a topic (or property string) seen before is neither
// validated nor decoded to a JS string again: the tape carries its id instead of its bytes.
import {
  INTERN_MAX_IDS,
  INTERN_MAX_LENGTH,
  INTERN_SLOT_COUNT,
  INTERN_SLOTS,
  INTERN_STORE,
  INTERN_STORE_SIZE,
} from "./layout";

let internCount: u32 = 0;
let internStoreUsed: u32 = 0;

/** Slot of the last `internFind` miss, where `internAdd` will put the string. */
let missSlot: usize = 0;
let missHash: u32 = 0;
/** Slot of the last `internFind` hit. */
let foundSlot: usize = 0;

// The table slot of the n-th string of the previous packets: a stream of similar packets
// finds each string there by one comparison, without hashing. Entries are checked
// against the slot's contents, so a reset table needs no clearing here.
const RECENT = memory.data(32 * 4, 4);
let ordinal: u32 = 0;
let recentEntry: usize = 0;

/** Starts counting strings for a new packet. */
export function internNewPacket(): void {
  ordinal = 0;
}

/** Like `internFind`, trying the slot of the string at this position in recent packets first. */
export function internLookup(ptr: usize, len: u32): i32 {
  recentEntry = RECENT + ((<usize>(ordinal++) & 31) << 2);
  const slot = <usize>load<u32>(recentEntry);
  if (slot != 0) {
    const idPlus1 = load<u32>(slot, 12);
    const lenFlags = load<u32>(slot, 8);
    if (
      idPlus1 != 0 && (lenFlags >>> 8) == len &&
      sameBytes(INTERN_STORE + load<u32>(slot, 4), ptr, len)
    ) {
      return <i32> (((idPlus1 - 1) << 8) | (lenFlags & 0xff)) + 1;
    }
  }
  const found = internFind(ptr, len);
  if (found > 0) store<u32>(recentEntry, <u32>foundSlot);
  return found;
}

/** Forgets every interned string; ids are then reused, each announced again as new. */
export function internReset(): void {
  memory.fill(INTERN_SLOTS, 0, <usize> INTERN_SLOT_COUNT << 4);
  internCount = 0;
  internStoreUsed = 0;
}

/**
 * Looks up `len` bytes at `ptr`. Returns the entry's `(id << 8) | flags` plus 1 when found,
 * 0 when not (and remembers where to add it), -1 when the string is not internable.
 */
export function internFind(ptr: usize, len: u32): i32 {
  if (len > INTERN_MAX_LENGTH) return -1;
  // FNV-1a over 8-byte words, strings being hashed on every sighting. The last word is
  // loaded whole and masked: the bytes after a string are always inside memory (more input,
  // or the tape after it), so reading them is safe.
  let h64: u64 = 0xcbf29ce484222325 ^ <u64>len;
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) {
    h64 = (h64 ^ load<u64>(ptr + i)) * 0x100000001b3;
    h64 ^= h64 >> 29;
  }
  if (i < len) {
    h64 = (h64 ^ (load<u64>(ptr + i) & tailMask(len - i))) * 0x100000001b3;
    h64 ^= h64 >> 29;
  }
  let h = <u32>(h64 ^ (h64 >> 32));
  h |= 1; // 0 marks an empty slot
  const mask = INTERN_SLOT_COUNT - 1;
  let slotIndex = h & mask;
  while (true) {
    const slot = INTERN_SLOTS + (<usize> slotIndex << 4);
    const sh = load<u32>(slot);
    if (sh == 0) {
      missSlot = slot;
      missHash = h;
      return 0;
    }
    if (sh == h) {
      const lenFlags = load<u32>(slot, 8);
      if ((lenFlags >>> 8) == len && sameBytes(INTERN_STORE + load<u32>(slot, 4), ptr, len)) {
        foundSlot = slot;
        return <i32> (((load<u32>(slot, 12) - 1) << 8) | (lenFlags & 0xff)) + 1;
      }
    }
    slotIndex = (slotIndex + 1) & mask;
  }
}

/**
 * Adds the string of the last `internFind` miss with its validation flags. Returns its id,
 * or -1 when the table is full (the caller then resets it: the table stays bounded).
 */
export function internAdd(ptr: usize, len: u32, flags: u32): i32 {
  if (internCount >= INTERN_MAX_IDS || internStoreUsed + len > INTERN_STORE_SIZE) return -1;
  memory.copy(INTERN_STORE + internStoreUsed, ptr, len);
  const id = internCount++;
  store<u32>(missSlot, missHash);
  store<u32>(missSlot, internStoreUsed, 4);
  store<u32>(missSlot, (len << 8) | flags, 8);
  store<u32>(missSlot, id + 1, 12);
  store<u32>(recentEntry, <u32>missSlot);
  internStoreUsed += len;
  return <i32> id;
}

// @ts-ignore: decorator
@inline function tailMask(remaining: u32): u64 {
  return (<u64>1 << (<u64>remaining << 3)) - 1;
}

function sameBytes(a: usize, b: usize, len: u32): bool {
  let i: u32 = 0;
  for (; i + 8 <= len; i += 8) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
  }
  if (i < len) {
    const mask = tailMask(len - i);
    return (load<u64>(a + i) & mask) == (load<u64>(b + i) & mask);
  }
  return true;
}
