import type { ProtocolVersion, PublishPacket } from "@tern/codec";

export const VERSIONS: ProtocolVersion[] = [4, 5];

export function label(version: ProtocolVersion): string {
  return version === 5 ? "MQTT 5" : "MQTT 3.1.1";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(payload: Uint8Array): string {
  return decoder.decode(payload);
}

/** A PUBLISH with defaults. */
export function publish(
  topic: string,
  payload: string,
  options: Partial<PublishPacket> = {},
): PublishPacket {
  const qos = options.qos ?? 0;
  return {
    type: "publish",
    topic,
    payload: bytes(payload),
    qos,
    retain: false,
    dup: false,
    packetId: qos === 0 ? undefined : 1,
    ...options,
  };
}
