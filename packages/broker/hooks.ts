/**
 * The hooks an application plugs into the broker: authentication, authorization, and the
 * events tests and applications observe.
 *
 * @module
 */
import type { ConnectPacket, ProtocolVersion, PublishPacket, QoS, Subscription } from "@tern/codec";

/**
 * What the broker knows about a client when it asks a hook.
 *
 * @example Log who connects
 * ```ts
 * import type { ClientInfo } from "@tern/broker";
 *
 * const describe = (client: ClientInfo) => `${client.clientId} from ${client.remoteAddress}`;
 * console.log(describe({ clientId: "a", remoteAddress: "memory", protocolVersion: 5 }));
 * ```
 */
export interface ClientInfo {
  /** The client identifier (the assigned one when CONNECT had none). */
  clientId: string;
  /** `host:port` of the peer, or `memory` for an in-process transport. */
  remoteAddress: string;
  /** 4 (MQTT 3.1.1) or 5. */
  protocolVersion: ProtocolVersion;
  /** User name from CONNECT, if any. */
  username?: string;
  /** The verified client certificate (DER), when the listener asked for one and got it. */
  peerCertificate?: Uint8Array;
}

/** What {@linkcode BrokerHooks.authenticate} is given. */
export interface AuthenticateRequest {
  /** The client, as far as known from CONNECT. */
  client: ClientInfo;
  /** The CONNECT packet as decoded. */
  connect: ConnectPacket;
  /** User name from CONNECT. */
  username?: string;
  /** Password from CONNECT. */
  password?: Uint8Array;
  /** MQTT 5 enhanced authentication: the method from CONNECT. */
  authenticationMethod?: string;
  /**
   * MQTT 5 enhanced authentication: the data of the latest step (CONNECT's, then each AUTH's).
   */
  authenticationData?: Uint8Array;
  /** 0 for the CONNECT, then 1, 2, ... for each AUTH of an enhanced exchange. */
  step: number;
}

/**
 * The answer of {@linkcode BrokerHooks.authenticate}: `true` accepts; `false` refuses with
 * 0x86 Bad User Name or Password (MQTT 3.1.1: return code 4); an object can refuse with a
 * specific reason code or, for enhanced authentication, continue with a challenge.
 */
export type AuthenticateResult =
  | boolean
  | { reasonCode: number; reasonString?: string }
  | { continue: Uint8Array }
  | { success: true; authenticationData?: Uint8Array };

/**
 * Hooks called by the broker; each may answer at once or with a promise. Packets of one
 * connection are handled in order, so a slow hook delays only its own client.
 *
 * @example Require a password and keep clients out of each other's topics
 * ```ts
 * import { Broker, type BrokerHooks } from "@tern/broker";
 *
 * const hooks: BrokerHooks = {
 *   authenticate: ({ password }) => new TextDecoder().decode(password) === "secret",
 *   authorizePublish: ({ client, topic }) => topic.startsWith(`${client.clientId}/`),
 *   authorizeSubscribe: ({ client, subscription }) =>
 *     subscription.topicFilter.startsWith(`${client.clientId}/`),
 * };
 * await using broker = new Broker({ hooks });
 * ```
 */
export interface BrokerHooks {
  /** Decides whether a CONNECT (and each step of an enhanced exchange) is accepted. */
  authenticate?(request: AuthenticateRequest): AuthenticateResult | Promise<AuthenticateResult>;
  /** Whether a client may publish to `topic`; `false` answers 0x87 Not authorized. */
  authorizePublish?(
    request: { client: ClientInfo; topic: string; packet: PublishPacket },
  ): boolean | Promise<boolean>;
  /**
   * Whether a client may subscribe: `true` grants the requested QoS, a QoS grants at most
   * that, `false` refuses with 0x87 Not authorized, `{ reasonCode }` refuses with that code
   * (MQTT 3.1.1 clients always get 0x80).
   */
  authorizeSubscribe?(
    request: { client: ClientInfo; subscription: Subscription },
  ): SubscribeDecision | Promise<SubscribeDecision>;
}

/**
 * What {@linkcode BrokerHooks.authorizeSubscribe} answers for one topic filter.
 *
 * @example Cap every subscription at QoS 1
 * ```ts
 * import type { SubscribeDecision } from "@tern/broker";
 *
 * const decide = (): SubscribeDecision => 1;
 * console.log(decide()); // 1
 * ```
 */
export type SubscribeDecision = boolean | QoS | { reasonCode: number };

/**
 * Events the broker emits, for logs and for tests to observe.
 *
 * @example Count messages
 * ```ts
 * import { Broker } from "@tern/broker";
 *
 * await using broker = new Broker();
 * let messages = 0;
 * broker.on("message", () => messages++);
 * console.log(messages); // 0
 * ```
 */
export interface BrokerEvents {
  /** A client's CONNECT was accepted. */
  connect: { client: ClientInfo; sessionPresent: boolean };
  /** A connected client's connection ended; `reasonCode` is what ended it. */
  disconnect: { client: ClientInfo; reasonCode: number; reason: string };
  /** A message was published (by a client, or a will); `subscribers` is how many sessions got it. */
  message: {
    client?: ClientInfo;
    topic: string;
    payload: Uint8Array;
    qos: QoS;
    retain: boolean;
    subscribers: number;
  };
}
