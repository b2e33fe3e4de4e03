/**
 * Reads a TLS ClientHello from a plain TCP connection and lists the ALPN protocols it
 * offers: Deno's TLS listener reports only the negotiated protocol, not the offered list.
 */
import { readExactly } from "./exchange.ts";

/** Reads the first TLS record and returns the ALPN protocol names in its ClientHello. */
export async function offeredAlpn(conn: Deno.Conn): Promise<string[]> {
  const header = await readExactly(conn, 5);
  if (header[0] !== 0x16) throw new Error(`Not a TLS handshake record: type ${header[0]}`);
  const record = await readExactly(conn, (header[3] << 8) | header[4]);
  if (record[0] !== 0x01) throw new Error(`Not a ClientHello: handshake type ${record[0]}`);
  let at = 4 + 2 + 32; // handshake header, client_version, random
  at += 1 + record[at]; // session_id
  at += 2 + ((record[at] << 8) | record[at + 1]); // cipher_suites
  at += 1 + record[at]; // compression_methods
  const end = at + 2 + ((record[at] << 8) | record[at + 1]);
  at += 2;
  while (at < end) {
    const type = (record[at] << 8) | record[at + 1];
    const length = (record[at + 2] << 8) | record[at + 3];
    at += 4;
    if (type === 0x0010) return alpnList(record.subarray(at + 2, at + length));
    at += length;
  }
  return [];
}

function alpnList(bytes: Uint8Array): string[] {
  const names: string[] = [];
  for (let at = 0; at < bytes.length; at += 1 + bytes[at]) {
    names.push(new TextDecoder().decode(bytes.subarray(at + 1, at + 1 + bytes[at])));
  }
  return names;
}
