/**
 * Fleet provisioning templates: the JSON document that says which thing, certificate
 * status, policies and device configuration a RegisterThing request produces.
 *
 * @module
 */

/** A provisioning template, as written for AWS IoT (the parts the local service reads). */
export interface ProvisioningTemplate {
  /** Declared parameters: `{ Type: "String", Default? }`. */
  Parameters?: Record<string, { Type: string; Default?: string }>;
  /** Two-level maps for `Fn::FindInMap`. */
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  /** `AWS::IoT::Thing`, `AWS::IoT::Certificate` and `AWS::IoT::Policy` resources. */
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  /** Arbitrary data for the device, returned by RegisterThing. */
  DeviceConfiguration?: Record<string, unknown>;
}

/** What evaluating a template for one request gives. */
export interface TemplateOutcome {
  /** The thing to create or update, when the template has an `AWS::IoT::Thing`. */
  thing?: {
    thingName: string;
    attributes: Record<string, string>;
    thingTypeName?: string;
    thingGroups: string[];
  };
  /** The certificate's new status: `ACTIVE` unless the template says `INACTIVE`. */
  certificateStatus: "ACTIVE" | "INACTIVE";
  /** Names (or documents, as JSON text) of the policies to attach. */
  policies: string[];
  /** The evaluated `DeviceConfiguration`. */
  deviceConfiguration: Record<string, unknown>;
}

/** A template could not be evaluated for the given parameters. */
export class TemplateError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

const FUNCTIONS = ["Ref", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::FindInMap", "Fn::Sub"];

function evaluate(
  value: unknown,
  parameters: Record<string, string>,
  template: ProvisioningTemplate,
): unknown {
  if (Array.isArray(value)) return value.map((item) => evaluate(item, parameters, template));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && (entries[0][0] === "Ref" || entries[0][0].startsWith("Fn::"))) {
    const [name, raw] = entries[0];
    if (!FUNCTIONS.includes(name)) {
      throw new TemplateError(`Cannot evaluate template: ${name} is not supported`);
    }
    const args = evaluate(raw, parameters, template);
    return intrinsic(name, args, parameters, template);
  }
  return Object.fromEntries(
    entries.map(([key, item]) => [key, evaluate(item, parameters, template)]),
  );
}

function intrinsic(
  name: string,
  args: unknown,
  parameters: Record<string, string>,
  template: ProvisioningTemplate,
): unknown {
  const fail = (what: string) => new TemplateError(`Cannot evaluate template: ${name} ${what}`);
  switch (name) {
    case "Ref": {
      if (typeof args !== "string") throw fail("needs a parameter name");
      if (!(args in parameters)) throw fail(`names unknown parameter "${args}"`);
      return parameters[args];
    }
    case "Fn::Join": {
      if (!Array.isArray(args) || typeof args[0] !== "string" || !Array.isArray(args[1])) {
        throw fail('needs ["delimiter", [values]]');
      }
      return args[1].map(String).join(args[0]);
    }
    case "Fn::Select": {
      if (!Array.isArray(args) || !Array.isArray(args[1])) throw fail("needs [index, [values]]");
      const index = Number(args[0]);
      const item = args[1][index];
      if (!Number.isInteger(index) || item === undefined || item === null) {
        throw fail(`index ${args[0]} is out of range`);
      }
      return item;
    }
    case "Fn::Split": {
      if (!Array.isArray(args) || typeof args[0] !== "string" || typeof args[1] !== "string") {
        throw fail('needs ["delimiter", "text"]');
      }
      return args[1].split(args[0]);
    }
    case "Fn::FindInMap": {
      if (!Array.isArray(args) || args.length !== 3) throw fail("needs [map, key, key]");
      const found = template.Mappings?.[String(args[0])]?.[String(args[1])]?.[String(args[2])];
      if (found === undefined) throw fail(`finds nothing at ${args.join(".")}`);
      return found;
    }
    case "Fn::Sub": {
      const [text, variables] = typeof args === "string"
        ? [args, {}]
        : Array.isArray(args)
        ? [args[0], args[1] ?? {}]
        : [undefined, {}];
      if (typeof text !== "string") throw fail('needs "text" or ["text", {variables}]');
      return text.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
        const value = (variables as Record<string, unknown>)[key] ?? parameters[key];
        if (value === undefined) throw fail(`names unknown variable "${key}"`);
        return String(value);
      });
    }
  }
  throw fail("is not supported");
}

/**
 * Evaluates `template` for one RegisterThing request. `parameters` are the device's
 * (after a pre-provisioning hook's overrides) plus the pseudo parameter
 * `AWS::IoT::Certificate::Id`; declared parameters take their `Default` when absent.
 *
 * @throws {TemplateError} when a declared parameter has no value, or an intrinsic function
 * fails
 *
 * @example A thing named from a parameter
 * ```ts
 * import { evaluateTemplate } from "@tern/aws";
 *
 * const outcome = evaluateTemplate({
 *   Parameters: { SerialNumber: { Type: "String" } },
 *   Resources: {
 *     thing: {
 *       Type: "AWS::IoT::Thing",
 *       Properties: { ThingName: { "Fn::Join": ["_", ["lamp", { Ref: "SerialNumber" }]] } },
 *     },
 *   },
 * }, { SerialNumber: "7" });
 * console.log(outcome.thing?.thingName); // "lamp_7"
 * ```
 */
export function evaluateTemplate(
  template: ProvisioningTemplate,
  parameters: Record<string, string>,
): TemplateOutcome {
  const values: Record<string, string> = {};
  for (const [name, declaration] of Object.entries(template.Parameters ?? {})) {
    const value = parameters[name] ?? declaration.Default;
    if (value === undefined) {
      throw new TemplateError(`Cannot evaluate template: parameter "${name}" has no value`);
    }
    values[name] = value;
  }
  for (const [name, value] of Object.entries(parameters)) {
    if (name.startsWith("AWS::")) values[name] = value;
  }
  const outcome: TemplateOutcome = {
    certificateStatus: "ACTIVE",
    policies: [],
    deviceConfiguration: evaluate(template.DeviceConfiguration ?? {}, values, template) as Record<
      string,
      unknown
    >,
  };
  for (const [logicalName, resource] of Object.entries(template.Resources ?? {})) {
    const properties = evaluate(resource.Properties ?? {}, values, template) as Record<
      string,
      unknown
    >;
    switch (resource.Type) {
      case "AWS::IoT::Thing": {
        const thingName = properties.ThingName;
        if (typeof thingName !== "string" || !/^[a-zA-Z0-9:_-]{1,128}$/.test(thingName)) {
          throw new TemplateError(
            `Cannot evaluate template: resource "${logicalName}" has ThingName ${
              JSON.stringify(thingName)
            }, not 1-128 letters, digits, ":", "_" or "-"`,
          );
        }
        outcome.thing = {
          thingName,
          attributes: Object.fromEntries(
            Object.entries((properties.AttributePayload ?? {}) as Record<string, unknown>)
              .map(([key, value]) => [key, String(value)]),
          ),
          thingTypeName: typeof properties.ThingTypeName === "string"
            ? properties.ThingTypeName
            : undefined,
          thingGroups: Array.isArray(properties.ThingGroups)
            ? properties.ThingGroups.map(String)
            : [],
        };
        break;
      }
      case "AWS::IoT::Certificate":
        if (String(properties.Status ?? "ACTIVE").toUpperCase() === "INACTIVE") {
          outcome.certificateStatus = "INACTIVE";
        }
        break;
      case "AWS::IoT::Policy":
        outcome.policies.push(
          typeof properties.PolicyName === "string"
            ? properties.PolicyName
            : JSON.stringify(properties.PolicyDocument),
        );
        break;
      default:
        throw new TemplateError(
          `Cannot evaluate template: resource "${logicalName}" has unsupported Type ${
            JSON.stringify(resource.Type)
          }`,
        );
    }
  }
  return outcome;
}
