/** What a broker URL names: the kind of transport, and where it connects. */
export interface BrokerUrl {
  kind: "tcp" | "tls" | "websocket";
  hostname: string;
  port: number;
  url: URL;
}

const SCHEMES: Record<string, { kind: BrokerUrl["kind"]; port: number }> = {
  "mqtt:": { kind: "tcp", port: 1883 },
  "tcp:": { kind: "tcp", port: 1883 },
  "mqtts:": { kind: "tls", port: 8883 },
  "tls:": { kind: "tls", port: 8883 },
  "ws:": { kind: "websocket", port: 80 },
  "wss:": { kind: "websocket", port: 443 },
};

/** Parses `mqtt://`, `mqtts://`, `tcp://`, `tls://`, `ws://` or `wss://` with default ports. */
export function parseBrokerUrl(url: string | URL): BrokerUrl {
  const parsed = new URL(url);
  const scheme = SCHEMES[parsed.protocol];
  if (!scheme) {
    throw new TypeError(
      `Cannot create a transport for "${parsed.protocol}//": use mqtt, mqtts, ws, wss, tcp or tls`,
    );
  }
  if (parsed.hostname === "") {
    throw new TypeError(`Cannot create a transport for "${parsed.href}": the URL has no host`);
  }
  return {
    kind: scheme.kind,
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port ? Number(parsed.port) : scheme.port,
    url: parsed,
  };
}
