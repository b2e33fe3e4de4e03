import type {
  AuthPacket,
  ConnackPacket,
  DisconnectPacket,
  DisconnectProperties,
  PublishAckPacket,
  PublishProperties,
  QoS,
  SubackPacket,
  SubscribeProperties,
  UnsubackPacket,
  UnsubscribeProperties,
} from "@tern/codec";
import type { FromUrlOptions, Transport } from "@tern/transport";
import type { SubscriptionRetry } from "@tern/subscriptions";
import type { ConnectUpdate, SessionOptions } from "./session_types.ts";
import type { NegotiatedSettings } from "./negotiated_settings.ts";
import type { ConnectionClosedError } from "./errors.ts";
import type { InboundMessage } from "./session_types.ts";
import type { ClientSubscription } from "./client_subscription.ts";
import type { Clock } from "./clock.ts";

/**
 * Decides how long the client waits before reconnecting. A {@linkcode Backoff} satisfies it;
 * the runner calls `connected` on every CONNACK that accepts a connection and `nextDelay`
 * whenever it is about to wait: after a failed attempt or a lost connection, unless a server
 * of `servers` not yet tried since the last wait (or a server reference) comes next. Whether
 * to keep trying at all is `shouldReconnect`'s call, asked first.
 */
export interface ReconnectPolicy {
  /** A connection was accepted at `now` (milliseconds, the runner's monotonic clock). */
  connected?(now: number): void;
  /** Milliseconds to wait before the next attempt, or undefined to give up and stop. */
  nextDelay(now: number, error: Error): number | undefined;
}

/**
 * MQTT 5 enhanced authentication (§4.12): the method name and how to answer the server.
 * Every method may be async (WebCrypto is).
 */
export interface Authenticator {
  /** The Authentication Method sent in CONNECT, e.g. "SCRAM-SHA-256". */
  readonly method: string;
  /** Authentication Data for CONNECT (and for AUTH when re-authenticating). */
  initialData?(): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** Answers a server challenge (AUTH, Continue authentication) with the next data. */
  challenge(
    data: Uint8Array | undefined,
    packet: AuthPacket,
  ): Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

/** What a {@linkcode ConnectOptionsProvider} learns about the attempt it prepares. */
export interface ConnectAttempt {
  /** The attempt's number since `start()`, from 1. */
  attempt: number;
  /**
   * The server the attempt goes to: an entry of `servers` (or `url` / `transport`), or the
   * URL an MQTT 5 server reference named.
   */
  server: string | URL | Transport;
  /** Why the previous attempt or connection ended; undefined before the first. */
  lastError?: Error;
  /** Aborts when the client stops. */
  signal: AbortSignal;
}

/**
 * What a {@linkcode ConnectOptionsProvider} returns. `url` or `transport` replaces the
 * server for this attempt only; the CONNECT fields (see {@linkcode ConnectUpdate}) stay for
 * the attempts that follow until changed again (a field left out keeps its value, `null`
 * removes it).
 */
export interface ConnectOverrides extends ConnectUpdate {
  /** The broker for this attempt, e.g. a freshly presigned WebSocket URL. */
  url?: string | URL;
  /** A transport for this attempt (wins over `url`). */
  transport?: Transport;
}

/**
 * Called before every connection attempt, reconnects included, to supply fresh connect
 * options: a password or token, a re-signed URL, another server, a new will. A provider that
 * throws (or rejects) fails the attempt like a transport error: a `connectionfailure` event,
 * then `shouldReconnect` and the reconnect delay decide what follows.
 */
export type ConnectOptionsProvider = (
  attempt: ConnectAttempt,
) => ConnectOverrides | Promise<ConnectOverrides>;

/** Options of {@linkcode MqttClient}: where to connect, and the session's options. */
export interface MqttClientOptions
  extends Omit<SessionOptions, "packetSize" | "authenticationMethod"> {
  /** Broker URL: mqtt://, mqtts://, tcp://, tls://, ws://, wss:// (see `fromUrl`). */
  url?: string | URL;
  /** Options for the transport made from `url` (TLS settings, proxy, connect timeout). */
  transportOptions?: FromUrlOptions;
  /** A transport to use instead of `url`. */
  transport?: Transport;
  /**
   * Brokers to try in turn, instead of `url` or `transport`: a failed attempt moves to the
   * next at once, and the reconnect delay applies once every server was tried. A connection
   * that was accepted and then lost retries the same server first. MQTT 5 server references
   * (reason 0x9C Use another server, 0x9D Server moved, in CONNACK or DISCONNECT) are
   * followed; 0x9D replaces the entry. A reference without a scheme takes the referring
   * server's, and a reference never leaves TLS for plain text.
   */
  servers?: (string | URL | Transport)[];
  /** Supplies fresh connect options before every attempt; see {@linkcode ConnectOptionsProvider}. */
  connectOptionsProvider?: ConnectOptionsProvider;
  /**
   * Decides, after every failed attempt (a refused CONNACK, say) or lost connection, whether
   * the client keeps trying; false stops it: `start()` rejects and `stopped` carries the
   * error. Default: always keep trying (the `reconnect` policy may still give up).
   *
   * @example Stop on bad credentials
   * ```ts
   * import { ConnectionRefusedError, type MqttClientOptions } from "@tern/agent";
   *
   * const options: MqttClientOptions = {
   *   url: "mqtt://127.0.0.1:1883",
   *   shouldReconnect: (error) =>
   *     !(error instanceof ConnectionRefusedError && [0x86, 0x87, 4, 5].includes(error.reasonCode)),
   * };
   * console.log(options.shouldReconnect!(new Error("reset"))); // true
   * ```
   */
  shouldReconnect?: (error: Error) => boolean;
  /** MQTT 5 enhanced authentication. */
  authenticator?: Authenticator;
  /**
   * How long to wait before reconnecting after a failed attempt or a lost connection (once
   * every server in `servers` was tried); a policy whose `nextDelay` returns undefined gives
   * up and the client stops. false never waits: the client stops where it would wait.
   * Default: `new Backoff()` (1 s to 2 min, full jitter, forever).
   */
  reconnect?: ReconnectPolicy | false;
  /**
   * Milliseconds a closing connection may spend finishing a pending write (the DISCONNECT of
   * `stop()`, or bytes stuck behind a peer that stopped reading) before it is dropped.
   * Default 5000.
   */
  closeTimeoutMs?: number;
  /**
   * The packet decoder's WebAssembly module, precompiled, for runtimes that forbid compiling
   * WebAssembly from bytes (Cloudflare Workers): import `@tern/codec`'s `codec.wasm` as a
   * compiled module and pass it here. Default: the module embedded in `@tern/codec`,
   * compiled on first use.
   *
   * @example Hand the client a compiled module
   * ```ts
   * import type { MqttClientOptions } from "@tern/agent";
   * import { codecWasmBytes } from "@tern/codec";
   *
   * // A Worker imports it instead: `import wasmModule from "@tern/codec/codec.wasm";`
   * const wasmModule = await WebAssembly.compile(codecWasmBytes());
   * const options: MqttClientOptions = { url: "mqtt://127.0.0.1:1883", wasmModule };
   * console.log(options.wasmModule instanceof WebAssembly.Module); // true
   * ```
   */
  wasmModule?: WebAssembly.Module;
  /**
   * Where the client reads the time and sets its timers (see {@linkcode Clock}): keep-alive,
   * every deadline and timeout, the reconnect delay and offline expiry follow it. Default:
   * the system clock. Tests pass `@tern/testing`'s `createTestClock()`.
   *
   * @example A client on a clock the test moves
   * ```ts
   * import type { Clock, MqttClientOptions } from "@tern/agent";
   *
   * // A clock stopped at 0 whose timers never fire; @tern/testing's one can be moved.
   * const clock: Clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
   * const options: MqttClientOptions = { url: "mqtt://127.0.0.1:1883", clock };
   * console.log(options.clock?.now()); // 0
   * ```
   */
  clock?: Clock;
}

/** Options of {@linkcode MqttClient.start}. */
export interface StartOptions {
  /** Stops waiting for the first CONNACK (the client keeps trying; call stop() to end it). */
  signal?: AbortSignal;
  /**
   * When the promise resolves: "ack" (default) with the settings of the first CONNACK that
   * accepts, "sent" once the first CONNECT was written, "none" at once.
   */
  wait?: WaitMode;
}

/** Options of {@linkcode MqttClient.stop}. */
export interface StopOptions {
  /** MQTT 5 DISCONNECT reason code; default 0x00 Normal disconnection (0x04 sends the will). */
  reasonCode?: number;
  /** MQTT 5 DISCONNECT properties. */
  properties?: DisconnectProperties;
}

/**
 * When an operation's promise resolves (Ioto's wait modes). What "ack" waits for: PUBACK
 * (QoS 1), PUBCOMP (QoS 2) or the write (QoS 0) of a publish; SUBACK; UNSUBACK; CONNACK
 * for `start()`.
 */
export type WaitMode =
  /** Once queued (validated and accepted by the client); `start()`: once it began. */
  | "none"
  /** Once written to the transport; `start()`: once CONNECT was. */
  | "sent"
  /** Once acknowledged. */
  | "ack";

/** Options shared by every operation that waits. */
export interface OperationOptions {
  /** Gives up waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Gives up waiting after this many milliseconds with a TimeoutError. */
  timeoutMs?: number;
}

/** Options of {@linkcode MqttClient.publish}. */
export interface PublishOptions extends OperationOptions {
  /** Quality of service. Default 0. */
  qos?: QoS;
  /** Ask the broker to retain the message. Default false. */
  retain?: boolean;
  /** MQTT 5 properties (topic aliases are chosen by the client). */
  properties?: PublishProperties;
  /** When the promise resolves. Default "ack". */
  wait?: WaitMode;
}

/** Options of {@linkcode MqttClient.subscribe} for the filters given as strings. */
export interface SubscribeOptions extends OperationOptions {
  /** Maximum QoS to receive. Default 0. */
  qos?: QoS;
  /** MQTT 5: do not receive my own publications. */
  noLocal?: boolean;
  /** MQTT 5: keep the RETAIN flag as published. */
  retainAsPublished?: boolean;
  /** MQTT 5: 0 send retained messages, 1 only for a new subscription, 2 never. */
  retainHandling?: 0 | 1 | 2;
  /** MQTT 5: subscription identifier and user properties. */
  properties?: SubscribeProperties;
  /** When the promise resolves: "none", "sent" or "ack" (default, with the SUBACK). */
  wait?: WaitMode;
}

/** Options of {@linkcode MqttClient.unsubscribe}. */
export interface UnsubscribeOptions extends OperationOptions {
  /** MQTT 5 user properties. */
  properties?: UnsubscribeProperties;
  /** When the promise resolves: "none", "sent" or "ack" (default, with the UNSUBACK). */
  wait?: WaitMode;
}

/** Options of {@linkcode MqttClient.request}. */
export interface RequestOptions extends OperationOptions {
  /** QoS of the request and of the response subscription. Default 1. */
  qos?: QoS;
  /** Where the responder should publish; default `tern/response/<random id of this client>`. */
  responseTopic?: string;
  /** More MQTT 5 properties of the request (not responseTopic / correlationData). */
  properties?: PublishProperties;
}

/** The events of {@linkcode MqttClient} and what each listener receives. */
export interface ClientEventMap {
  /** A connection attempt begins (before the connect options provider is asked). */
  attemptingconnect: { attempt: number; server: string | URL | Transport };
  /** CONNACK accepted the connection. */
  connectionsuccess: { connack: ConnackPacket; settings: NegotiatedSettings };
  /**
   * A connection attempt failed (transport, refused CONNACK, timeout, protocol error).
   * `connack`: the decoded CONNACK that refused it, when one did.
   */
  connectionfailure: { error: Error; connack?: ConnackPacket };
  /**
   * An accepted connection ended, with the reason. `disconnect`: the decoded DISCONNECT,
   * when the server sent one.
   */
  disconnection: { error: ConnectionClosedError; disconnect?: DisconnectPacket };
  /**
   * The broker refused a local subscription's SUBSCRIBE and its `retry` policy sends it
   * again after `delayMs`.
   */
  subscriptionretry: SubscriptionRetry;
  /** The client stopped: stop() was called, or the reconnect policy gave up. */
  stopped: { error?: Error };
  /**
   * A message arrived that no local subscription (`subscribe()`) took: the catch-all. A
   * QoS 1 / 2 one is acknowledged once every listener was called (a subscription with
   * `ack: "handled"` or `"manual"` waits for the work instead).
   */
  message: InboundMessage;
  /**
   * A subscription handler or an event listener threw or rejected. The client and its
   * connection carry on, and the message counts as delivered. Without a listener for this
   * event, the first error of each subscription (or event type) goes to `console.error`.
   */
  error: {
    error: unknown;
    /** The subscription whose handler failed. */
    subscription?: ClientSubscription;
    /** The message the handler was given. */
    message?: InboundMessage;
  };
  /**
   * The server acknowledged a packet identifier with nothing in flight; ignored (counted in
   * `stats().ignoredAcknowledgements`).
   */
  ignoredack: { packet: PublishAckPacket | SubackPacket | UnsubackPacket };
  /** A subscription's `overflow` policy dropped a QoS 0 message (counted in `stats()`). */
  messagedropped: { message: InboundMessage; subscription: ClientSubscription };
}

/** A client event's name. */
export type ClientEventType = keyof ClientEventMap;
