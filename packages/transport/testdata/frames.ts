/** Splits a byte stream into MQTT packets by their fixed header, for framing tests. */
export function splitPackets(bytes: Uint8Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    let length = 0;
    let multiplier = 1;
    let header = 1;
    while (true) {
      const byte = bytes[at + header];
      if (byte === undefined) throw new Error(`Truncated fixed header at byte ${at}`);
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      header++;
      if ((byte & 0x80) === 0) break;
    }
    const end = at + header + length;
    if (end > bytes.length) throw new Error(`Truncated packet at byte ${at}`);
    packets.push(bytes.slice(at, end));
    at = end;
  }
  return packets;
}

/** Concatenates chunks into one array. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    result.set(chunk, at);
    at += chunk.length;
  }
  return result;
}
