/** The largest number of bytes an MQTT UTF-8 Encoded String may take [MQTT-1.5.4]. */
export const MAX_STRING_BYTES = 65_535;

/**
 * Checks what MQTT requires of every topic before its levels are looked at: at least one
 * character [MQTT-4.7.3-1], no U+0000 [MQTT-4.7.3-2], at most 65,535 bytes of UTF-8
 * [MQTT-4.7.3-3], and well-formed UTF-16 so that it has a UTF-8 encoding at all [MQTT-1.5.4-1].
 *
 * Returns a description of the first problem, or `undefined`. One pass, no allocation.
 */
export function stringProblem(text: string): string | undefined {
  if (text.length === 0) return "must not be empty";
  // Every UTF-16 code unit takes at least one UTF-8 byte, so this cannot reject a valid string.
  if (text.length > MAX_STRING_BYTES) {
    return `longer than 65,535 bytes in UTF-8 (at least ${text.length})`;
  }
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return `contains the null character U+0000 at index ${i}`;
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next < 0xdc00 || next > 0xdfff) return `contains a lone surrogate at index ${i}`;
      bytes += 4;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return `contains a lone surrogate at index ${i}`;
    } else bytes += 3;
  }
  if (bytes > MAX_STRING_BYTES) return `longer than 65,535 bytes in UTF-8 (${bytes})`;
  return undefined;
}
