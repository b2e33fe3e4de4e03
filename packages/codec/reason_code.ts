/**
 * MQTT 5 reason codes (§2.4) by their specification names.
 *
 * Several names share a value (0x00 is Success, Normal disconnection and Granted QoS 0);
 * which one applies depends on the packet that carries it.
 *
 * @example Check a PUBACK's outcome
 * ```ts
 * import { ReasonCode } from "@tern/codec";
 *
 * const reasonCode: number = 0x10;
 * console.log(reasonCode === ReasonCode.NoMatchingSubscribers); // true
 * ```
 */
export const ReasonCode = {
  Success: 0x00,
  NormalDisconnection: 0x00,
  GrantedQoS0: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWillMessage: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  ContinueAuthentication: 0x18,
  ReAuthenticate: 0x19,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  Banned: 0x8a,
  ServerShuttingDown: 0x8b,
  BadAuthenticationMethod: 0x8c,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  MessageRateTooHigh: 0x96,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QoSNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  SharedSubscriptionsNotSupported: 0x9e,
  ConnectionRateExceeded: 0x9f,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;

/** A reason code name. */
export type ReasonCodeName = keyof typeof ReasonCode;

/**
 * MQTT 3.1.1 CONNACK return codes (§3.2.2.3).
 *
 * @example Tell a refused MQTT 3.1.1 connection
 * ```ts
 * import { ConnectReturnCode } from "@tern/codec";
 *
 * console.log(ConnectReturnCode.NotAuthorized); // 5
 * ```
 */
export const ConnectReturnCode = {
  Accepted: 0,
  UnacceptableProtocolVersion: 1,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUserNameOrPassword: 4,
  NotAuthorized: 5,
} as const;

const namesByValue = new Map<number, string>();
for (const [name, value] of Object.entries(ReasonCode)) {
  // The first name listed for a shared value is the general one (Success for 0x00).
  if (!namesByValue.has(value)) namesByValue.set(value, name);
}

/**
 * The specification name of a reason code, for messages and logs.
 *
 * @example Name a reason code
 * ```ts
 * import { reasonCodeName } from "@tern/codec";
 *
 * console.log(reasonCodeName(0x97)); // "QuotaExceeded"
 * console.log(reasonCodeName(0x42)); // "0x42"
 * ```
 */
export function reasonCodeName(reasonCode: number): string {
  return namesByValue.get(reasonCode) ?? `0x${reasonCode.toString(16).padStart(2, "0")}`;
}

/**
 * Whether a reason code reports a failure (0x80 and above, §2.4).
 *
 * @example Tell failures from successes
 * ```ts
 * import { isFailure } from "@tern/codec";
 *
 * console.log(isFailure(0x87)); // true
 * console.log(isFailure(0x10)); // false
 * ```
 */
export function isFailure(reasonCode: number): boolean {
  return reasonCode >= 0x80;
}
