/** Validation and assembly shared by the AWS IoT builders. */
import { type BrokerLimits, createLimiter } from "@tern/agent";
import { endpointHost } from "./_endpoint.ts";
import type { IotClientOptions, IotCommonOptions } from "./client_options.ts";
import { iotCoreLimits } from "./iot_core_limits.ts";
import { isAwsHost, withSdkMetrics } from "./sdk_metrics.ts";

/** The validated common options, and the username decoration they imply. */
export interface Common {
  host: string;
  /** The options every builder's result starts from. */
  base: Pick<IotClientOptions, "clientId" | "caCerts" | "proxy" | "limits" | "wasmModule">;
  /** Adds SDK metrics to a username when asked for and the endpoint is AWS's. */
  username(username: string | undefined): string | undefined;
}

/** Checks the options every builder shares; throws before anything could be sent. */
export function common(options: IotCommonOptions, action: string): Common {
  const host = endpointHost(options.endpoint, action);
  const { clientId, caCerts, proxy, metrics, wasmModule } = options;
  if (typeof clientId !== "string" || clientId === "") {
    // IoT Core would assign `$GEN/<uuid>`, which the client cannot reconnect with.
    throw new TypeError(`Cannot ${action}: clientId must be a non-empty string`);
  }
  const limits: BrokerLimits | undefined = options.limits === false
    ? undefined
    : options.limits ?? iotCoreLimits;
  if (limits) createLimiter(limits).checkConnect({ clientId });
  if (proxy !== undefined) {
    let protocol: string | undefined;
    try {
      protocol = new URL(proxy).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== "http:" && protocol !== "https:") {
      throw new TypeError(
        `Cannot ${action}: proxy must be an http:// or https:// URL, got "${proxy}"`,
      );
    }
  }
  const base: Common["base"] = { clientId };
  if (caCerts !== undefined) base.caCerts = caCerts;
  if (proxy !== undefined) base.proxy = proxy;
  if (limits !== undefined) base.limits = limits;
  if (wasmModule !== undefined) base.wasmModule = wasmModule;
  return {
    host,
    base,
    username(username) {
      if (!metrics || !isAwsHost(host)) return username;
      return withSdkMetrics(username ?? "", metrics === true ? {} : metrics);
    },
  };
}

/** Copies `source`, leaving out keys whose value is undefined, so results compare exactly. */
export function defined<T extends object>(source: T): T {
  return Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined),
  ) as T;
}

/** Throws unless `port` is a TCP port number. */
export function checkPort(action: string, port: number): void {
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new RangeError(`Cannot ${action}: port must be an integer from 1 to 65535, got ${port}`);
  }
}
