// Packet type numbers (§2.1.2) and names.
import type { PacketType } from "./packet.ts";

// Fixed-header type numbers, for the code that switches on them.
export const CONNECT = 1;
export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const PUBREC = 5;
export const PUBREL = 6;
export const PUBCOMP = 7;
export const SUBSCRIBE = 8;
export const SUBACK = 9;
export const UNSUBSCRIBE = 10;
export const UNSUBACK = 11;
export const PINGREQ = 12;
export const PINGRESP = 13;
export const DISCONNECT = 14;
export const AUTH = 15;

/** Packet type names by fixed-header type number; 0 is reserved. */
export const PACKET_TYPES: readonly (PacketType | undefined)[] = [
  undefined,
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
  "auth",
];

/** Reason codes the specification allows in each packet type (MQTT 5 §2.4 and the packet sections). */
export const VALID_REASON_CODES: ReadonlyMap<string, ReadonlySet<number>> = new Map(
  Object.entries({
    connack: new Set([
      0x00,
      0x80,
      0x81,
      0x82,
      0x83,
      0x84,
      0x85,
      0x86,
      0x87,
      0x88,
      0x89,
      0x8a,
      0x8c,
      0x90,
      0x95,
      0x97,
      0x99,
      0x9a,
      0x9b,
      0x9c,
      0x9d,
      0x9f,
    ]),
    puback: new Set([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]),
    pubrec: new Set([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]),
    pubrel: new Set([0x00, 0x92]),
    pubcomp: new Set([0x00, 0x92]),
    suback: new Set([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]),
    unsuback: new Set([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]),
    disconnect: new Set([
      0x00,
      0x04,
      0x80,
      0x81,
      0x82,
      0x83,
      0x87,
      0x89,
      0x8b,
      0x8d,
      0x8e,
      0x8f,
      0x90,
      0x93,
      0x94,
      0x95,
      0x96,
      0x97,
      0x98,
      0x99,
      0x9a,
      0x9b,
      0x9c,
      0x9d,
      0x9e,
      0x9f,
      0xa0,
      0xa1,
      0xa2,
    ]),
    auth: new Set([0x00, 0x18, 0x19]),
  }),
);

/** MQTT 3.1.1 SUBACK return codes (§3.9.3). */
export const VALID_SUBACK_V4_CODES: ReadonlySet<number> = new Set([0x00, 0x01, 0x02, 0x80]);
