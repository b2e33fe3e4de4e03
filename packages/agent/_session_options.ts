/** The session's options with every default filled in, resolved once per change. */
import type { ConnectUpdate, SessionOptions } from "./session_types.ts";

/**
 * The largest packet, in bytes, a client accepts unless told otherwise: 16 MiB.
 *
 * A limit is on by default because the decoder buffers a whole packet before decoding it,
 * so without one a hostile or broken server could make each connection hold up to 256 MiB.
 * MQTT 5 announces it in CONNECT, so a conforming server never sends more.
 *
 * @example Accept larger messages
 * ```ts
 * import { DEFAULT_MAXIMUM_PACKET_SIZE } from "@tern/agent";
 *
 * const maximumPacketSize = 4 * DEFAULT_MAXIMUM_PACKET_SIZE;
 * console.log(maximumPacketSize); // 67108864
 * ```
 */
export const DEFAULT_MAXIMUM_PACKET_SIZE = 16 * 1024 * 1024;

// MQTT 3.1.1 servers cannot announce a limit, yet mosquitto (max_inflight_messages, default
// 20) drops publishes beyond it while still acknowledging them; stay within that by default.
const DEFAULT_MQTT4_INFLIGHT = 20;
// What an absent Receive Maximum means (MQTT 5 §3.1.2.11.3, §3.2.2.3.3).
const RECEIVE_MAXIMUM_ABSENT = 65_535;

/** The options a session reads, defaults applied; fields CONNECT sends only when set stay optional. */
export type ResolvedOptions = Readonly<
  & SessionOptions
  & Required<
    Pick<
      SessionOptions,
      | "protocolVersion"
      | "clientId"
      | "keepAlive"
      | "maximumPacketSize"
      | "maximumInflight"
      | "topicAliasMaximum"
      | "topicAliases"
      | "connackTimeoutMs"
      | "ackTimeoutMs"
      | "offlineQueuePolicy"
      | "maxQueuedOperations"
      | "maxQueuedBytes"
      | "resubscribe"
    >
  >
  & {
    /**
     * The client's Receive Maximum, which inbound QoS 2 flows must respect (`receiveMaximum`
     * itself stays unset when not given, and CONNECT then leaves it out).
     */
    inboundReceiveMaximum: number;
  }
>;

/** Applies the defaults of `SessionOptions` to checked options, into one frozen table. */
export function resolveOptions(options: SessionOptions): ResolvedOptions {
  const protocolVersion = options.protocolVersion ?? 5;
  return Object.freeze({
    ...options,
    protocolVersion,
    clientId: options.clientId ?? "",
    keepAlive: options.keepAlive ?? 60,
    maximumPacketSize: options.maximumPacketSize ?? DEFAULT_MAXIMUM_PACKET_SIZE,
    maximumInflight: options.maximumInflight ??
      (protocolVersion === 5 ? RECEIVE_MAXIMUM_ABSENT : DEFAULT_MQTT4_INFLIGHT),
    topicAliasMaximum: options.topicAliasMaximum ?? 0,
    topicAliases: options.topicAliases ?? true,
    connackTimeoutMs: options.connackTimeoutMs ?? 30_000,
    ackTimeoutMs: options.ackTimeoutMs ?? 0,
    offlineQueuePolicy: options.offlineQueuePolicy ?? "failQos0PublishOnDisconnect",
    maxQueuedOperations: options.maxQueuedOperations ?? 10_000,
    maxQueuedBytes: options.maxQueuedBytes ?? 16 * 1024 * 1024,
    resubscribe: options.resubscribe ?? true,
    inboundReceiveMaximum: options.receiveMaximum ?? RECEIVE_MAXIMUM_ABSENT,
  });
}

/** `options` with `update` applied: a field left out keeps its value, `null` removes it. */
export function mergeConnectUpdate(options: SessionOptions, update: ConnectUpdate): SessionOptions {
  const next: SessionOptions = { ...options };
  for (const key of ["username", "password", "will", "userProperties"] as const) {
    const value = update[key];
    if (value === null) delete next[key];
    else if (value !== undefined) (next as Record<string, unknown>)[key] = value;
  }
  return next;
}
