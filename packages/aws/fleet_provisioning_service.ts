/**
 * A local fleet provisioning service: the device provisioning MQTT API of AWS IoT
 * (CreateKeysAndCertificate, CreateCertificateFromCsr, RegisterThing) over any broker, with
 * certificates from a {@linkcode LocalCertificateAuthority}.
 *
 * @module
 */
import type { SimpleMqtt, SimpleMqttSubscription } from "@tern/agent";
import { LocalCertificateAuthority } from "./certificate_authority.ts";
import {
  evaluateTemplate,
  type ProvisioningTemplate,
  TemplateError,
} from "./provisioning_template.ts";
import { jsonBytes, type JsonRecord, parseJsonObject } from "./_request_response.ts";
import type { ProvisioningErrorDocument } from "./fleet_provisioning_client.ts";

/** What a pre-provisioning hook is given (the fields of AWS's hook event). */
export interface PreProvisioningHookRequest {
  /** The template being used. */
  templateName: string;
  /** The id of the certificate being provisioned. */
  certificateId: string;
  /** That certificate, PEM. */
  certificatePem: string;
  /** The device's parameters. */
  parameters: Record<string, string>;
}

/** What a pre-provisioning hook answers. */
export interface PreProvisioningHookResponse {
  /** `false` refuses the request (403). */
  allowProvisioning: boolean;
  /** Replace or add parameters before the template is evaluated. */
  parameterOverrides?: Record<string, string>;
}

/** A template with its optional pre-provisioning hook. */
export interface TemplateWithHook {
  /** The template. */
  template: ProvisioningTemplate;
  /** Called before the template is evaluated, as AWS calls the template's Lambda. */
  preProvisioningHook?: (
    request: PreProvisioningHookRequest,
  ) => PreProvisioningHookResponse | Promise<PreProvisioningHookResponse>;
}

/** Options for {@linkcode FleetProvisioningService.start}. */
export interface FleetProvisioningServiceOptions {
  /** Templates by name: the template itself, or `{ template, preProvisioningHook }`. */
  templates: Record<string, ProvisioningTemplate | TemplateWithHook>;
  /** Signs the certificates; default a new {@linkcode LocalCertificateAuthority}. */
  authority?: LocalCertificateAuthority;
  /** How long an ownership token is valid; default 3600000 ms (one hour, as AWS). */
  tokenLifetimeMs?: number;
  /** The clock, in ms; default `Date.now`. */
  now?: () => number;
  /** Answers that could not be published; default `console.error`. */
  onError?: (error: unknown) => void;
}

/** A certificate the service issued. */
export interface ProvisionedCertificate {
  /** The certificate, PEM. */
  certificatePem: string;
  /** `PENDING_ACTIVATION` until RegisterThing, then as the template says. */
  status: "PENDING_ACTIVATION" | "ACTIVE" | "INACTIVE";
  /** The thing it was attached to by RegisterThing. */
  thingName?: string;
  /** Policies the template attached. */
  policies: string[];
}

/** A thing the service created. */
export interface ProvisionedThing {
  /** Attributes from the template's `AttributePayload`. */
  attributes: Record<string, string>;
  /** The thing type, if the template names one. */
  thingTypeName?: string;
  /** Thing groups from the template. */
  thingGroups: string[];
  /** Certificates attached to it. */
  certificateIds: string[];
}

interface Token {
  certificateId: string;
  expiresAt: number;
}

const CREATE = "$aws/certificates/create/json";
const CREATE_FROM_CSR = "$aws/certificates/create-from-csr/json";
const PROVISION = /^\$aws\/provisioning-templates\/([^/]+)\/provision\/json$/;

class Rejection extends Error {
  readonly document: ProvisioningErrorDocument;
  constructor(statusCode: number, errorCode: string, errorMessage: string) {
    super(errorMessage);
    this.document = { statusCode, errorCode, errorMessage };
  }
}

/**
 * Answers the device provisioning MQTT API on a broker, following the AWS documentation
 * (see the package README for the rules and their sources): certificates start
 * `PENDING_ACTIVATION` with a one-hour, single-use ownership token; RegisterThing runs the
 * template's pre-provisioning hook, evaluates the template, creates or updates the thing,
 * attaches the certificate and sets its status. Only the `json` payload format is served.
 *
 * On a shared broker every subscriber of an answer topic sees the answer (AWS sends it to
 * the requesting connection only), so run it for tests and demos, not for devices you do not
 * trust.
 *
 * @example Provision a device by claim, in memory
 * ```ts
 * import { FleetProvisioningService, provisionByClaim } from "@tern/aws";
 * import { MemoryBus } from "../shadow/_memory_bus.ts";
 *
 * const bus = new MemoryBus();
 * await using service = await FleetProvisioningService.start(bus.connect(), {
 *   templates: {
 *     lamps: {
 *       Parameters: { Serial: { Type: "String" } },
 *       Resources: {
 *         thing: { Type: "AWS::IoT::Thing", Properties: { ThingName: { Ref: "Serial" } } },
 *       },
 *       DeviceConfiguration: { telemetryTopic: { "Fn::Sub": "lamps/${Serial}/telemetry" } },
 *     },
 *   },
 * });
 * const device = await provisionByClaim(bus.connect(), {
 *   templateName: "lamps",
 *   parameters: { Serial: "lamp-7" },
 * });
 * console.log(device.thingName, device.deviceConfiguration); // "lamp-7" { telemetryTopic: "lamps/lamp-7/telemetry" }
 * console.log(service.certificates.get(device.certificateId)?.status); // "ACTIVE"
 * ```
 */
export class FleetProvisioningService implements AsyncDisposable {
  /** The authority that signs the certificates (give its PEM to the broker). */
  readonly authority: LocalCertificateAuthority;
  /** Every certificate issued, by id. */
  readonly certificates: ReadonlyMap<string, ProvisionedCertificate>;
  /** Every thing provisioned, by name. */
  readonly things: ReadonlyMap<string, ProvisionedThing>;
  readonly #mqtt: SimpleMqtt;
  readonly #templates: Map<string, TemplateWithHook>;
  readonly #tokenLifetimeMs: number;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #certificates = new Map<string, ProvisionedCertificate>();
  readonly #things = new Map<string, ProvisionedThing>();
  readonly #tokens = new Map<string, Token>();
  #subscriptions: SimpleMqttSubscription[] = [];

  private constructor(
    mqtt: SimpleMqtt,
    options: FleetProvisioningServiceOptions,
    authority: LocalCertificateAuthority,
  ) {
    this.#mqtt = mqtt;
    this.authority = authority;
    this.certificates = this.#certificates;
    this.things = this.#things;
    this.#templates = new Map();
    for (const [name, entry] of Object.entries(options.templates)) {
      const withHook = "template" in entry ? entry as TemplateWithHook : { template: entry };
      const things = Object.values(withHook.template.Resources ?? {})
        .filter((resource) => resource.Type === "AWS::IoT::Thing");
      if (things.length !== 1) {
        throw new TypeError(
          `Cannot start fleet provisioning service: template "${name}" must have one AWS::IoT::Thing resource, not ${things.length}`,
        );
      }
      this.#templates.set(name, withHook);
    }
    this.#tokenLifetimeMs = options.tokenLifetimeMs ?? 3_600_000;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? ((error) => console.error(error));
  }

  /** Subscribes to the request topics; resolves once the broker granted them. */
  static async start(
    mqtt: SimpleMqtt,
    options: FleetProvisioningServiceOptions,
  ): Promise<FleetProvisioningService> {
    const service = new FleetProvisioningService(
      mqtt,
      options,
      options.authority ?? await LocalCertificateAuthority.create(),
    );
    const handler = (message: { topic: string; payload: Uint8Array }) =>
      void service.#handle(message.topic, message.payload);
    try {
      for (
        const filter of [CREATE, CREATE_FROM_CSR, "$aws/provisioning-templates/+/provision/json"]
      ) {
        service.#subscriptions.push(await mqtt.subscribe(filter, handler, { qos: 1 }));
      }
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  /** Unsubscribes; safe to call twice. */
  async stop(): Promise<void> {
    const subscriptions = this.#subscriptions;
    this.#subscriptions = [];
    await Promise.allSettled(subscriptions.map((s) => s.unsubscribe()));
  }

  /** Stops the service. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #handle(topic: string, payload: Uint8Array): Promise<void> {
    let answer: { outcome: "accepted" | "rejected"; body: unknown };
    try {
      answer = { outcome: "accepted", body: await this.#answer(topic, payload) };
    } catch (error) {
      if (!(error instanceof Rejection)) this.#onError(error);
      answer = {
        outcome: "rejected",
        body: error instanceof Rejection
          ? error.document
          : { statusCode: 500, errorCode: "InternalError", errorMessage: "Internal error" },
      };
    }
    try {
      await this.#mqtt.publish(`${topic}/${answer.outcome}`, jsonBytes(answer.body), { qos: 1 });
    } catch (error) {
      this.#onError(error);
    }
  }

  async #answer(topic: string, payload: Uint8Array): Promise<JsonRecord> {
    // CreateKeysAndCertificate takes an empty payload (the docs) or `{}` (the SDKs).
    const body = payload.length === 0 ? {} : parseJsonObject(payload);
    if (body === undefined) {
      throw new Rejection(400, "InvalidPayload", "The payload is not a JSON object.");
    }
    if (topic === CREATE) {
      const issued = await this.authority.createKeysAndCertificate();
      return {
        certificateId: issued.certificateId,
        certificatePem: issued.certificatePem,
        privateKey: issued.privateKey,
        certificateOwnershipToken: this.#register(issued.certificateId, issued.certificatePem),
      };
    }
    if (topic === CREATE_FROM_CSR) {
      const csr = body.certificateSigningRequest;
      if (typeof csr !== "string" || csr === "") {
        throw new Rejection(400, "InvalidCsr", "Certificate signing request cannot be empty.");
      }
      let issued;
      try {
        issued = await this.authority.issueFromCsr(csr);
      } catch (error) {
        throw new Rejection(400, "InvalidCsr", (error as Error).message);
      }
      return {
        certificateOwnershipToken: this.#register(issued.certificateId, issued.certificatePem),
        certificateId: issued.certificateId,
        certificatePem: issued.certificatePem,
      };
    }
    const templateName = PROVISION.exec(topic)?.[1];
    if (templateName === undefined) {
      throw new Rejection(400, "InvalidRequest", `Unknown topic ${topic}.`);
    }
    return await this.#registerThing(templateName, body);
  }

  #register(certificateId: string, certificatePem: string): string {
    this.#certificates.set(certificateId, {
      certificatePem,
      status: "PENDING_ACTIVATION",
      policies: [],
    });
    const bytes = crypto.getRandomValues(new Uint8Array(48));
    const token = btoa(String.fromCharCode(...bytes));
    this.#tokens.set(token, { certificateId, expiresAt: this.#now() + this.#tokenLifetimeMs });
    return token;
  }

  async #registerThing(templateName: string, body: JsonRecord): Promise<JsonRecord> {
    const entry = this.#templates.get(templateName);
    if (entry === undefined) {
      throw new Rejection(404, "ResourceNotFound", `Template ${templateName} does not exist.`);
    }
    const tokenText = body.certificateOwnershipToken;
    if (typeof tokenText !== "string" || tokenText === "") {
      throw new Rejection(
        400,
        "InvalidCertificateOwnershipToken",
        "Certificate ownership token cannot be empty.",
      );
    }
    const token = this.#tokens.get(tokenText);
    const certificate = token && this.#certificates.get(token.certificateId);
    if (!token || !certificate || token.expiresAt <= this.#now()) {
      if (token) this.#tokens.delete(tokenText);
      throw new Rejection(
        400,
        "InvalidCertificateOwnershipToken",
        "Certificate ownership token is invalid or has expired.",
      );
    }
    const raw = body.parameters ?? {};
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new Rejection(400, "InvalidParameters", "Parameters must be an object of strings.");
    }
    let parameters: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value !== "string") {
        throw new Rejection(400, "InvalidParameters", `Parameter ${key} must be a string.`);
      }
      parameters[key] = value;
    }
    if (entry.preProvisioningHook) {
      const verdict = await entry.preProvisioningHook({
        templateName,
        certificateId: token.certificateId,
        certificatePem: certificate.certificatePem,
        parameters: { ...parameters },
      });
      if (!verdict.allowProvisioning) {
        throw new Rejection(403, "AccessDenied", "The pre-provisioning hook denied the request.");
      }
      parameters = { ...parameters, ...verdict.parameterOverrides };
    }
    let outcome;
    try {
      outcome = evaluateTemplate(entry.template, {
        ...parameters,
        "AWS::IoT::Certificate::Id": token.certificateId,
      });
    } catch (error) {
      if (error instanceof TemplateError) {
        throw new Rejection(400, "InvalidParameters", error.message);
      }
      throw error;
    }
    // The token is spent once the thing is provisioned.
    this.#tokens.delete(tokenText);
    certificate.status = outcome.certificateStatus;
    certificate.policies = outcome.policies;
    if (outcome.thing) {
      const { thingName, ...fields } = outcome.thing;
      const thing = this.#things.get(thingName) ?? { ...fields, certificateIds: [] };
      Object.assign(thing, fields);
      if (!thing.certificateIds.includes(token.certificateId)) {
        thing.certificateIds.push(token.certificateId);
      }
      this.#things.set(thingName, thing);
      certificate.thingName = thingName;
    }
    return {
      deviceConfiguration: outcome.deviceConfiguration,
      thingName: outcome.thing!.thingName,
    };
  }
}
