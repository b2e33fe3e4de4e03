/** Longest excerpt of a topic quoted in an error message, in UTF-16 code units. */
const MAX_QUOTED = 80;

/**
 * Quotes a topic for an error message: JSON escapes make U+0000 and control characters
 * visible, and a 65,535-byte filter is cut so the message stays readable.
 */
export function quote(text: string): string {
  const excerpt = text.length > MAX_QUOTED ? text.slice(0, MAX_QUOTED) + "…" : text;
  return JSON.stringify(excerpt);
}
