/**
 * Fleet provisioning by claim over MQTT: a device connected with a shared claim
 * certificate gets a certificate of its own (`$aws/certificates/create…`) and registers
 * itself with a provisioning template (`$aws/provisioning-templates/<name>/provision`).
 *
 * @module
 */
import type { SimpleMqtt } from "@tern/agent";
import { type Answer, type JsonRecord, request } from "./_request_response.ts";

/** The error document of every fleet provisioning `/rejected` topic. */
export interface ProvisioningErrorDocument {
  /** An HTTP status code, e.g. 400. */
  statusCode: number;
  /** A short code, e.g. `InvalidCertificateOwnershipToken`. */
  errorCode: string;
  /** A human-readable message. */
  errorMessage: string;
}

/**
 * A fleet provisioning request was rejected; the fields are the service's error document.
 *
 * @example Tell a rejection by its code
 * ```ts
 * import { ProvisioningError } from "@tern/aws";
 *
 * const error = new ProvisioningError("register thing", {
 *   statusCode: 400,
 *   errorCode: "InvalidCertificateOwnershipToken",
 *   errorMessage: "Certificate ownership token cannot be empty.",
 * });
 * console.log(error.message);
 * // Cannot register thing: 400 InvalidCertificateOwnershipToken: Certificate ownership token cannot be empty.
 * ```
 */
export class ProvisioningError extends Error {
  /** The HTTP status code of the rejection. */
  readonly statusCode: number;
  /** The service's error code. */
  readonly errorCode: string;
  /** The service's message. */
  readonly errorMessage: string;

  /** Creates the error for `action` from the service's error document. */
  constructor(action: string, document: ProvisioningErrorDocument) {
    super(
      `Cannot ${action}: ${document.statusCode} ${document.errorCode}: ${document.errorMessage}`,
    );
    this.name = "ProvisioningError";
    this.statusCode = document.statusCode;
    this.errorCode = document.errorCode;
    this.errorMessage = document.errorMessage;
  }
}

/** A new certificate and the token that proves its ownership for one hour. */
export interface CreatedCertificate {
  /** The certificate id (hex SHA-256 of the certificate). */
  certificateId: string;
  /** The certificate, PEM. */
  certificatePem: string;
  /** Passed to {@linkcode FleetProvisioningClient.registerThing}. */
  certificateOwnershipToken: string;
}

/** What CreateKeysAndCertificate answers: the certificate and its new private key. */
export interface CreatedKeysAndCertificate extends CreatedCertificate {
  /** The private key, PEM. It exists only in this answer. */
  privateKey: string;
}

/** What RegisterThing answers. */
export interface RegisteredThing {
  /** The thing the template created or updated. */
  thingName: string;
  /** The template's `DeviceConfiguration`, evaluated. */
  deviceConfiguration: Record<string, unknown>;
}

/** Options for one request. */
export interface ProvisioningRequestOptions {
  /** Rejects with the signal's reason when aborted. */
  signal?: AbortSignal;
  /** Overrides the client's timeout, in milliseconds. */
  timeoutMs?: number;
}

/** Options for {@linkcode FleetProvisioningClient}. */
export interface FleetProvisioningClientOptions {
  /** How long a request waits for its answer; default 30000 ms. */
  timeoutMs?: number;
}

/** AWS's provisioning template names: 1–36 of letters, digits, `_` and `-`. */
const TEMPLATE_NAME = /^[0-9A-Za-z_-]{1,36}$/;

function checkTemplateName(templateName: unknown): string {
  if (typeof templateName !== "string" || !TEMPLATE_NAME.test(templateName)) {
    throw new TypeError(
      `Cannot register thing: template name ${
        JSON.stringify(templateName)
      } must be 1-36 letters, digits, "_" or "-"`,
    );
  }
  return templateName;
}

function checkParameters(parameters: unknown): Record<string, string> {
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new TypeError("Cannot register thing: parameters must be an object of strings");
  }
  for (const [key, value] of Object.entries(parameters)) {
    if (typeof value !== "string") {
      throw new TypeError(`Cannot register thing: parameter "${key}" must be a string`);
    }
  }
  return parameters as Record<string, string>;
}

function rejection(action: string, body: JsonRecord): ProvisioningError {
  return new ProvisioningError(action, {
    statusCode: typeof body.statusCode === "number" ? body.statusCode : 500,
    errorCode: typeof body.errorCode === "string" ? body.errorCode : "Unknown",
    errorMessage: typeof body.errorMessage === "string" ? body.errorMessage : "no message",
  });
}

function field(action: string, body: JsonRecord, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value === "") {
    throw new Error(`Cannot ${action}: the answer has no "${name}"`);
  }
  return value;
}

/**
 * The three operations of the device provisioning MQTT API, JSON payload format. Each
 * subscribes to its answer topics before publishing and ends the subscriptions after the
 * answer. The API has no correlation token, so one client runs one request at a time
 * (later calls wait their turn).
 *
 * @example Provision against the local service (in memory here)
 * ```ts
 * import { FleetProvisioningClient, FleetProvisioningService } from "@tern/aws";
 * import { MemoryBus } from "../shadow/_memory_bus.ts";
 *
 * const bus = new MemoryBus();
 * await using _service = await FleetProvisioningService.start(bus.connect(), {
 *   templates: {
 *     sensors: {
 *       Parameters: { SerialNumber: { Type: "String" } },
 *       Resources: {
 *         thing: {
 *           Type: "AWS::IoT::Thing",
 *           Properties: { ThingName: { "Fn::Join": ["-", ["sensor", { Ref: "SerialNumber" }]] } },
 *         },
 *       },
 *     },
 *   },
 * });
 * const client = new FleetProvisioningClient(bus.connect());
 * const created = await client.createKeysAndCertificate();
 * const { thingName } = await client.registerThing("sensors", {
 *   certificateOwnershipToken: created.certificateOwnershipToken,
 *   parameters: { SerialNumber: "0042" },
 * });
 * console.log(thingName); // "sensor-0042"
 * ```
 */
export class FleetProvisioningClient {
  readonly #mqtt: SimpleMqtt;
  readonly #timeoutMs: number;
  #turn: Promise<unknown> = Promise.resolve();

  /** Creates the client; nothing is subscribed until the first request. */
  constructor(mqtt: SimpleMqtt, options: FleetProvisioningClientOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new RangeError(
        `Invalid fleet provisioning option: timeoutMs must be positive, got ${timeoutMs}`,
      );
    }
    this.#mqtt = mqtt;
    this.#timeoutMs = timeoutMs;
  }

  /** CreateKeysAndCertificate: a new key pair and certificate, made by the service. */
  async createKeysAndCertificate(
    options: ProvisioningRequestOptions = {},
  ): Promise<CreatedKeysAndCertificate> {
    const action = "create keys and certificate";
    const body = await this.#accepted(action, "$aws/certificates/create/json", {}, options);
    return {
      certificateId: field(action, body, "certificateId"),
      certificatePem: field(action, body, "certificatePem"),
      privateKey: field(action, body, "privateKey"),
      certificateOwnershipToken: field(action, body, "certificateOwnershipToken"),
    };
  }

  /**
   * CreateCertificateFromCsr: a certificate for the device's own key, which never leaves
   * the device.
   *
   * @throws {TypeError} when `certificateSigningRequest` is not PEM text
   */
  async createCertificateFromCsr(
    certificateSigningRequest: string,
    options: ProvisioningRequestOptions = {},
  ): Promise<CreatedCertificate> {
    const action = "create certificate from CSR";
    if (
      typeof certificateSigningRequest !== "string" ||
      !certificateSigningRequest.includes("-----BEGIN CERTIFICATE REQUEST-----")
    ) {
      throw new TypeError(`Cannot ${action}: the request must be a PEM certificate request`);
    }
    const body = await this.#accepted(
      action,
      "$aws/certificates/create-from-csr/json",
      { certificateSigningRequest },
      options,
    );
    return {
      certificateId: field(action, body, "certificateId"),
      certificatePem: field(action, body, "certificatePem"),
      certificateOwnershipToken: field(action, body, "certificateOwnershipToken"),
    };
  }

  /**
   * RegisterThing: provisions the thing described by template `templateName` with the
   * certificate the ownership token stands for.
   *
   * @throws {TypeError} when the template name or a parameter is invalid
   */
  async registerThing(
    templateName: string,
    registration: { certificateOwnershipToken: string; parameters?: Record<string, string> },
    options: ProvisioningRequestOptions = {},
  ): Promise<RegisteredThing> {
    const action = "register thing";
    const name = checkTemplateName(templateName);
    const body: JsonRecord = { certificateOwnershipToken: registration.certificateOwnershipToken };
    if (registration.parameters !== undefined) {
      body.parameters = checkParameters(registration.parameters);
    }
    const answer = await this.#accepted(
      action,
      `$aws/provisioning-templates/${name}/provision/json`,
      body,
      options,
    );
    const deviceConfiguration = answer.deviceConfiguration;
    return {
      thingName: field(action, answer, "thingName"),
      deviceConfiguration: typeof deviceConfiguration === "object" && deviceConfiguration !== null
        ? deviceConfiguration as Record<string, unknown>
        : {},
    };
  }

  async #accepted(
    action: string,
    topic: string,
    body: JsonRecord,
    options: ProvisioningRequestOptions,
  ): Promise<JsonRecord> {
    const run = () =>
      request(this.#mqtt, {
        topic,
        body,
        action,
        timeoutMs: options.timeoutMs ?? this.#timeoutMs,
        signal: options.signal,
      });
    const mine = this.#turn.then(run, run);
    this.#turn = mine.catch(() => {});
    const answer: Answer = await mine;
    if (answer.outcome === "rejected") throw rejection(action, answer.body);
    return answer.body;
  }
}

/** Options for {@linkcode provisionByClaim}. */
export interface ProvisionByClaimOptions extends ProvisioningRequestOptions {
  /** The provisioning template. */
  templateName: string;
  /** The template's parameters (strings). */
  parameters?: Record<string, string>;
  /**
   * A PEM certificate signing request for a key the device made itself
   * (CreateCertificateFromCsr). Without it the service makes the key
   * (CreateKeysAndCertificate) and `privateKey` is set in the result.
   */
  certificateSigningRequest?: string;
}

/** What a device needs to connect as itself from now on. */
export interface ProvisionedDevice extends RegisteredThing {
  /** The new certificate's id. */
  certificateId: string;
  /** The new certificate, PEM. */
  certificatePem: string;
  /** The new private key, PEM, when the service made it. */
  privateKey?: string;
}

/**
 * The whole claim flow on a connection made with the claim certificate: get a
 * certificate (from the service's key, or for the device's CSR), then register the thing
 * with the template. Connect again with `certificatePem` and `privateKey` (or the CSR's
 * key), for example through `mtlsOptions`.
 *
 * @example Provision, then connect as the new thing
 * ```ts ignore
 * import { asMqttLike, MqttClient } from "@tern/agent";
 * import { mtlsOptions, provisionByClaim, toMqttClientOptions } from "@tern/aws";
 *
 * const claim = new MqttClient(toMqttClientOptions(mtlsOptions({ endpoint, clientId, cert, key })));
 * await claim.start();
 * const device = await provisionByClaim(asMqttLike(claim), {
 *   templateName: "sensors",
 *   parameters: { SerialNumber: "0042" },
 * });
 * await claim.stop();
 * const own = mtlsOptions({
 *   endpoint,
 *   clientId: device.thingName,
 *   cert: device.certificatePem,
 *   key: device.privateKey!,
 * });
 * ```
 */
export async function provisionByClaim(
  mqtt: SimpleMqtt,
  options: ProvisionByClaimOptions,
): Promise<ProvisionedDevice> {
  checkTemplateName(options.templateName);
  if (options.parameters !== undefined) checkParameters(options.parameters);
  const client = new FleetProvisioningClient(mqtt, { timeoutMs: options.timeoutMs });
  const request = { signal: options.signal };
  const created: CreatedCertificate & { privateKey?: string } =
    options.certificateSigningRequest === undefined
      ? await client.createKeysAndCertificate(request)
      : await client.createCertificateFromCsr(options.certificateSigningRequest, request);
  const registered = await client.registerThing(options.templateName, {
    certificateOwnershipToken: created.certificateOwnershipToken,
    parameters: options.parameters,
  }, request);
  const device: ProvisionedDevice = {
    ...registered,
    certificateId: created.certificateId,
    certificatePem: created.certificatePem,
  };
  if (created.privateKey !== undefined) device.privateKey = created.privateKey;
  return device;
}
