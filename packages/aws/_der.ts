/**
 * Just enough ASN.1 DER to write X.509 certificates and read certificate signing requests:
 * the universal types they use, and a reader of tag-length-value elements.
 *
 * @module
 */

const encoder = new TextEncoder();

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One element: `tag`, its length, then `content`. */
export function tlv(tag: number, ...content: readonly Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.of(tag), lengthBytes(body.length), body]);
}

/** SEQUENCE of the given elements. */
export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
/** SET of the given elements (callers pass them in DER order). */
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...items);
/** Context-specific constructed `[n]` (EXPLICIT tagging). */
export const explicit = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 + n, ...items);
/** NULL. */
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);
/** BOOLEAN. */
export const boolean = (value: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, value ? 0xff : 0);
/** OCTET STRING. */
export const octetString = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
/** BIT STRING with no unused bits. */
export const bitString = (bytes: Uint8Array): Uint8Array => tlv(0x03, Uint8Array.of(0), bytes);
/** UTF8String. */
export const utf8String = (text: string): Uint8Array => tlv(0x0c, encoder.encode(text));

/** A non-negative INTEGER from its big-endian magnitude. */
export function integer(magnitude: Uint8Array | number): Uint8Array {
  let bytes = typeof magnitude === "number" ? Uint8Array.of(magnitude) : magnitude;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  return tlv(0x02, bytes[0] & 0x80 ? Uint8Array.of(0, ...bytes) : bytes);
}

/** OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const base128 = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) {
      base128.unshift(0x80 | (rest & 0x7f));
    }
    bytes.push(...base128);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

/** The dotted form of an OBJECT IDENTIFIER's content bytes. */
export function oidText(content: Uint8Array): string {
  if (content.length === 0) throw new TypeError("Cannot read OBJECT IDENTIFIER: it is empty");
  const arcs = [Math.floor(content[0] / 40), content[0] % 40];
  let value = 0;
  for (const byte of content.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join(".");
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // 2049-12-31T23:59:59.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "");
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, encoder.encode(`${digits.slice(2)}Z`))
    : tlv(0x18, encoder.encode(`${digits}Z`));
}

/** One element found by {@linkcode readElement}. */
export interface DerElement {
  /** The tag byte. */
  tag: number;
  /** The content bytes. */
  content: Uint8Array;
  /** The whole element, header included. */
  raw: Uint8Array;
}

/** Reads the element at `offset` of `bytes`; throws a TypeError on truncated input. */
export function readElement(bytes: Uint8Array, offset = 0): DerElement {
  if (offset + 2 > bytes.length) throw new TypeError("Cannot read DER: input ends early");
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || offset + 2 + count > bytes.length) {
      throw new TypeError("Cannot read DER: bad length");
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i];
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) throw new TypeError("Cannot read DER: input ends early");
  return {
    tag,
    content: bytes.subarray(offset + header, end),
    raw: bytes.subarray(offset, end),
  };
}

/** The elements inside a constructed element's content. */
export function children(content: Uint8Array): DerElement[] {
  const items: DerElement[] = [];
  for (let offset = 0; offset < content.length;) {
    const item = readElement(content, offset);
    items.push(item);
    offset += item.raw.length;
  }
  return items;
}
