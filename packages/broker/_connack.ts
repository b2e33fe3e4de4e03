import type { ProtocolVersion } from "@tern/codec";

/**
 * The MQTT 3.1.1 CONNACK return code (§3.2.2.3) closest to an MQTT 5 refusal reason code.
 */
export function connectReturnCode(reasonCode: number, version: ProtocolVersion): number {
  if (version === 5) return reasonCode;
  switch (reasonCode) {
    case 0x84:
      return 1; // unacceptable protocol version
    case 0x85:
      return 2; // identifier rejected
    case 0x88:
    case 0x89:
    case 0x97:
      return 3; // server unavailable
    case 0x86:
      return 4; // bad user name or password
    default:
      return 5; // not authorized
  }
}
