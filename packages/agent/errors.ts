import { reasonCodeName } from "@tern/codec";
import type { UserProperties } from "@tern/codec";

/** Options shared by the errors that carry an MQTT reason code. */
export interface ReasonErrorOptions {
  /** The MQTT 5 reason code (or MQTT 3.1.1 return code) that explains the failure. */
  reasonCode?: number;
  /** The server's human-readable reason string, when it sent one. */
  reasonString?: string;
  /** The server's user properties, when it sent some. */
  userProperties?: UserProperties;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * An operation failed with an MQTT reason code: the server answered a PUBLISH with a
 * failure (PUBACK or PUBREC with reason code 0x80 or above), or the client refused to send a
 * packet the server announced it would not accept (too large, QoS or retain not supported).
 *
 * @example Tell a refused publish
 * ```ts
 * import { ReasonCodeError } from "@tern/agent";
 *
 * const error = new ReasonCodeError("Cannot publish: the server answered NotAuthorized", {
 *   reasonCode: 0x87,
 * });
 * console.log(error.reasonCode, error.reasonName); // 135 "NotAuthorized"
 * ```
 */
export class ReasonCodeError extends Error {
  /** The reason code. */
  readonly reasonCode: number;
  /** The server's reason string, when it sent one. */
  readonly reasonString?: string;
  /** The server's user properties, when it sent some. */
  readonly userProperties?: UserProperties;

  /** Creates the error; `reasonCode` defaults to 0x80 Unspecified error. */
  constructor(message: string, options: ReasonErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "ReasonCodeError";
    this.reasonCode = options.reasonCode ?? 0x80;
    this.reasonString = options.reasonString;
    this.userProperties = options.userProperties;
  }

  /** The reason code's specification name, e.g. "NotAuthorized". */
  get reasonName(): string {
    return reasonCodeName(this.reasonCode);
  }
}

/**
 * The server refused the connection: CONNACK carried a failure reason code (MQTT 5) or a
 * non-zero return code (MQTT 3.1.1, codes 1 to 5).
 *
 * @example Tell a refused connection by its reason code
 * ```ts
 * import { ConnectionRefusedError } from "@tern/agent";
 *
 * const error = new ConnectionRefusedError("Cannot connect: the server answered NotAuthorized", {
 *   reasonCode: 0x87,
 * });
 * console.log(error instanceof Error, error.reasonCode); // true 135
 * ```
 */
export class ConnectionRefusedError extends ReasonCodeError {
  /** The server to use instead, when the server sent a server reference. */
  readonly serverReference?: string;

  /** Creates the error. */
  constructor(message: string, options: ReasonErrorOptions & { serverReference?: string } = {}) {
    super(message, options);
    this.name = "ConnectionRefusedError";
    this.serverReference = options.serverReference;
  }
}

/**
 * The connection ended: the server sent DISCONNECT, broke the protocol, stopped answering, or
 * the transport closed. `reasonCode` is the server's DISCONNECT reason code, or the code the
 * client sent (or would have sent) when it closed the connection itself.
 *
 * @example Read why a connection ended
 * ```ts
 * import { ConnectionClosedError } from "@tern/agent";
 *
 * const error = new ConnectionClosedError("Connection closed: the server sent DISCONNECT", {
 *   reasonCode: 0x8b,
 * });
 * console.log(error.reasonName); // "ServerShuttingDown"
 * ```
 */
export class ConnectionClosedError extends ReasonCodeError {
  /** The server to use instead, when the server's DISCONNECT carried a server reference. */
  readonly serverReference?: string;
  /** True when the server sent DISCONNECT; false when the client closed or the link failed. */
  readonly byServer: boolean;

  /** Creates the error. */
  constructor(
    message: string,
    options: ReasonErrorOptions & { serverReference?: string; byServer?: boolean } = {},
  ) {
    super(message, options);
    this.name = "ConnectionClosedError";
    this.serverReference = options.serverReference;
    this.byServer = options.byServer ?? false;
  }
}

/**
 * The client was stopped (or gave up reconnecting) before the operation completed.
 *
 * @example Tell a stopped client from other failures
 * ```ts
 * import { ClientStoppedError } from "@tern/agent";
 *
 * const error = new ClientStoppedError("Cannot complete publish: the client was stopped");
 * console.log(error.name); // "ClientStoppedError"
 * ```
 */
export class ClientStoppedError extends Error {
  /** Creates the error. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "ClientStoppedError";
  }
}

/**
 * Something the client waited for did not arrive in time: a CONNACK, a PINGRESP, an
 * acknowledgement, or the response to a request.
 *
 * @example Tell a timeout from other failures
 * ```ts
 * import { TimeoutError } from "@tern/agent";
 *
 * const error = new TimeoutError("Cannot complete publish: no PUBACK within 5000 ms");
 * console.log(error.name); // "TimeoutError"
 * ```
 */
export class TimeoutError extends Error {
  /** Creates the error. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "TimeoutError";
  }
}
