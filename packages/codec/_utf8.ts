// UTF-8 lengths and writing for the encoder, with the checks MQTT puts on strings
// [MQTT-1.5.4-1] [MQTT-1.5.4-2]: no U+0000, no unpaired surrogate, at most 65,535 bytes.

/**
 * The UTF-8 length of `text`. Throws a TypeError for U+0000 or an unpaired surrogate and a
 * RangeError past 65,535 bytes; `what` names the string in the message ("PUBLISH topic name").
 */
export function utf8Length(text: string, what: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) throw new TypeError(`Cannot encode ${what}: contains U+0000 at index ${i}`);
    } else if (c < 0x800) {
      length += 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) {
        throw new TypeError(
          `Cannot encode ${what}: unpaired UTF-16 surrogate 0x${c.toString(16)} at index ${i}`,
        );
      }
      // A surrogate pair: two UTF-16 units, four UTF-8 bytes.
      length += 2;
      i++;
    } else {
      length += 2;
    }
  }
  if (length > 65535) {
    throw new RangeError(`Cannot encode ${what}: ${length} bytes of UTF-8, the limit is 65535`);
  }
  return length;
}

const textEncoder = new TextEncoder();

/** Writes `text` (already checked by utf8Length) at `offset`; returns the bytes written. */
export function writeUtf8(text: string, target: Uint8Array, offset: number): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      return i + textEncoder.encodeInto(text.slice(i), target.subarray(offset + i)).written;
    }
    target[offset + i] = c;
  }
  return n;
}
