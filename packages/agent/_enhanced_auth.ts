import { reasonCodeName } from "@tern/codec";
import type { AuthPacket, ProtocolVersion } from "@tern/codec";
import type { SessionState } from "./session_types.ts";

/**
 * MQTT 5 enhanced authentication (§4.12): the AUTH packets the client sends, and whether
 * one the server sent fits the exchange. A re-authentication is outstanding from the
 * client's AUTH 0x19 until the server's AUTH Success.
 */
export class EnhancedAuth {
  #version: ProtocolVersion;
  #method?: string;
  #reauthenticating = false;

  /** The exchange for `method` (none without one). */
  constructor(version: ProtocolVersion, method: string | undefined) {
    this.#version = version;
    this.#method = method;
  }

  /** A connection begins or ends: no re-authentication is outstanding. */
  reset(): void {
    this.#reauthenticating = false;
  }

  /**
   * The AUTH packet that answers a challenge (0x18) or starts re-authentication (0x19) in
   * session state `state`; throws a TypeError when it cannot be sent.
   */
  request(reasonCode: 0x18 | 0x19, state: SessionState, authenticationData?: Uint8Array) {
    const authenticationMethod = this.#method;
    if (this.#version !== 5 || authenticationMethod === undefined) {
      throw new TypeError("Cannot authenticate: AUTH needs MQTT 5 and an authentication method");
    }
    if (reasonCode === 0x19) {
      if (state !== "connected") {
        throw new TypeError("Cannot re-authenticate: the session is not connected");
      }
      this.#reauthenticating = true;
    } else if (state === "disconnected") {
      throw new TypeError("Cannot authenticate: the session is not connected");
    }
    const packet: AuthPacket = {
      type: "auth",
      reasonCode,
      properties: { authenticationMethod, authenticationData },
    };
    return packet;
  }

  /** What is wrong with the server's AUTH (a protocol error), or undefined when it fits. */
  judge(packet: AuthPacket): string | undefined {
    const method = this.#method;
    if (this.#version === 4 || method === undefined) {
      return "Unexpected AUTH: the client asked for no enhanced authentication";
    }
    if (packet.properties?.authenticationMethod !== method) {
      // [MQTT-4.12.0-5]
      return "AUTH names a different authentication method";
    }
    const reasonCode = packet.reasonCode ?? 0;
    const accepted = reasonCode === 0x18 || (reasonCode === 0 && this.#reauthenticating);
    if (!accepted) return `Unexpected AUTH with ${reasonCodeName(reasonCode)}`;
    if (reasonCode === 0) this.#reauthenticating = false;
    return undefined;
  }
}
