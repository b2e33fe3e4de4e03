import { checkTlsSettings } from "./_check_tls_settings.ts";
import { checkConnectTimeout, endpoint } from "./_endpoint.ts";
import { parseProxyUrl, type ProxyEndpoint } from "./_proxy_handshake.ts";
import type { HttpProxyOptions } from "./http_proxy.ts";
import type { TlsSettings } from "./tls_options.ts";

/** {@linkcode HttpProxyOptions} checked and taken apart, the same for every proxy adapter. */
export interface ProxyPlan {
  /** The MQTT server as `host:port`, what CONNECT asks the proxy for. */
  target: string;
  proxy: ProxyEndpoint;
  /** Completes "Cannot …" in the messages of a failed `open()`. */
  action: string;
  /** TLS inside the tunnel, or `undefined` for plain MQTT. */
  settings: TlsSettings | undefined;
}

/** Checks the options of the `adapter` transport when it is created, not when it is opened. */
export function proxyPlan(adapter: string, options: HttpProxyOptions): ProxyPlan {
  const target = endpoint(adapter, options.hostname, options.port);
  checkConnectTimeout(adapter, options.connectTimeoutMs);
  const proxy = parseProxyUrl(options.proxy);
  const proxyPeer = endpoint(adapter, proxy.hostname, proxy.port);
  const settings = options.tls === true ? {} : options.tls || undefined;
  if (settings) checkTlsSettings(adapter, settings);
  return { target, proxy, action: `connect to ${target} through proxy ${proxyPeer}`, settings };
}
