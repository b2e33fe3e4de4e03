// UTF-8 validation as MQTT requires it [MQTT-1.5.4-1..3]: well-formed (no overlong forms,
// no encoded surrogates U+D800..U+DFFF, nothing above U+10FFFF) and no U+0000.

/** Set in the result when the string has a byte >= 0x80. */
// @ts-ignore: decorator
export const UTF8_NON_ASCII: i32 = 1;

/** Set in the result when the string contains "+" or "#". */
// @ts-ignore: decorator
export const UTF8_WILDCARD: i32 = 2;

/** Result of a failed validation: the negated error kind; the offending offset is in `utf8ErrorAt`. */
// @ts-ignore: decorator
export const UTF8_ERR_INVALID: i32 = -1;

// @ts-ignore: decorator
export const UTF8_ERR_NULL: i32 = -2;

// @ts-ignore: decorator
export const UTF8_ERR_SURROGATE: i32 = -3;

// @ts-ignore: decorator
export const UTF8_ERR_OVERLONG: i32 = -4;

export let utf8ErrorAt: usize = 0;

/** Validates `len` bytes at `ptr`; returns flags (>= 0) or a negative error kind. */
export function validateUtf8(ptr: usize, len: usize): i32 {
  let flags: i32 = 0;
  const end = ptr + len;
  let p = ptr;
  while (p < end) {
    // Eight ASCII bytes at a time: no high bit set, no zero byte, no wildcard.
    if (p + 8 <= end) {
      const w = load<u64>(p);
      const high = w & 0x8080808080808080;
      const zero = (w - 0x0101010101010101) & ~w & 0x8080808080808080;
      if ((high | zero) == 0) {
        // "+" is 0x2B and "#" is 0x23: test both with the same zero-byte trick.
        const plus = w ^ 0x2b2b2b2b2b2b2b2b;
        const hash = w ^ 0x2323232323232323;
        if (
          ((plus - 0x0101010101010101) & ~plus & 0x8080808080808080) != 0 ||
          ((hash - 0x0101010101010101) & ~hash & 0x8080808080808080) != 0
        ) flags |= UTF8_WILDCARD;
        p += 8;
        continue;
      }
    }
    const b0 = <u32> load<u8>(p);
    if (b0 < 0x80) {
      if (b0 == 0) {
        utf8ErrorAt = p;
        return UTF8_ERR_NULL;
      }
      if (b0 == 0x2b || b0 == 0x23) flags |= UTF8_WILDCARD;
      p++;
      continue;
    }
    flags |= UTF8_NON_ASCII;
    if (b0 < 0xc2) {
      utf8ErrorAt = p;
      // 0xC0 and 0xC1 can only start an overlong two-byte form.
      return b0 >= 0xc0 ? UTF8_ERR_OVERLONG : UTF8_ERR_INVALID;
    }
    if (b0 < 0xe0) {
      if (p + 2 > end || !isContinuation(load<u8>(p + 1))) {
        utf8ErrorAt = p;
        return UTF8_ERR_INVALID;
      }
      p += 2;
      continue;
    }
    if (b0 < 0xf0) {
      if (p + 3 > end) {
        utf8ErrorAt = p;
        return UTF8_ERR_INVALID;
      }
      const b1 = <u32> load<u8>(p + 1);
      const b2 = <u32> load<u8>(p + 2);
      if (!isContinuation(b1) || !isContinuation(b2)) {
        utf8ErrorAt = p;
        return UTF8_ERR_INVALID;
      }
      if (b0 == 0xe0 && b1 < 0xa0) {
        utf8ErrorAt = p;
        return UTF8_ERR_OVERLONG;
      }
      if (b0 == 0xed && b1 >= 0xa0) {
        utf8ErrorAt = p;
        return UTF8_ERR_SURROGATE;
      }
      p += 3;
      continue;
    }
    if (b0 < 0xf5) {
      if (p + 4 > end) {
        utf8ErrorAt = p;
        return UTF8_ERR_INVALID;
      }
      const b1 = <u32> load<u8>(p + 1);
      if (
        !isContinuation(b1) || !isContinuation(load<u8>(p + 2)) || !isContinuation(load<u8>(p + 3))
      ) {
        utf8ErrorAt = p;
        return UTF8_ERR_INVALID;
      }
      if (b0 == 0xf0 && b1 < 0x90) {
        utf8ErrorAt = p;
        return UTF8_ERR_OVERLONG;
      }
      if (b0 == 0xf4 && b1 >= 0x90) {
        utf8ErrorAt = p;
        return UTF8_ERR_INVALID;
      }
      p += 4;
      continue;
    }
    utf8ErrorAt = p;
    return UTF8_ERR_INVALID;
  }
  return flags;
}

// @ts-ignore: decorator
function isContinuation(b: u32): bool {
  return (b & 0xc0) == 0x80;
}
