/**
 * Runs the CONNECT → PUBACK exchange through the node adapter, under Node or Bun. Bundled
 * and started by transport_node_test.ts; takes its settings as JSON in argv[2] and prints
 * the results as JSON.
 */
import process from "node:process";
import { type Connection, TransportError } from "@tern/transport";
import { nodeHttpProxy, nodeTcp, nodeTls } from "@tern/transport/node";
import { websocket } from "@tern/transport/websocket";
import { websocketViaProxy } from "@tern/transport/websocket-proxy";
import { runExchange } from "../packages/transport/testdata/exchange.ts";

interface Settings {
  port: number;
  wsPort: number;
  tlsPort: number;
  mtlsPort: number;
  proxy: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

const settings: Settings = JSON.parse(process.argv[2]);
const hex = (chunks: Uint8Array[]) =>
  chunks.map((bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));

async function exchange(open: () => Promise<Connection>) {
  try {
    const connection = await open();
    try {
      const result = await runExchange(connection, { clientId: "node", via: "readable" });
      return { written: hex(result.written), read: hex(result.read) };
    } finally {
      await connection.close();
    }
  } catch (error) {
    return { code: error instanceof TransportError ? error.code : String(error) };
  }
}

const caCerts = [settings.caCert];
const client = { cert: settings.clientCert, key: settings.clientKey };
const results = {
  tcp: await exchange(() => nodeTcp({ hostname: "127.0.0.1", port: settings.port }).open()),
  tls: await exchange(() =>
    nodeTls({ hostname: "localhost", port: settings.tlsPort, caCerts }).open()
  ),
  mtls: await exchange(() =>
    nodeTls({ hostname: "127.0.0.1", port: settings.mtlsPort, caCerts, ...client }).open()
  ),
  proxy: await exchange(() =>
    nodeHttpProxy({
      proxy: settings.proxy,
      hostname: "localhost",
      port: settings.mtlsPort,
      tls: { caCerts, ...client },
    }).open()
  ),
  unknownCa: await exchange(() =>
    nodeTls({ hostname: "localhost", port: settings.tlsPort }).open()
  ),
  noClientCert: await exchange(() =>
    nodeTls({ hostname: "127.0.0.1", port: settings.mtlsPort, caCerts }).open()
  ),
  // Node 20 has no global WebSocket (Node 22 and Bun do): there websocket() speaks RFC 6455
  // over node:net itself.
  websocket: await exchange(() =>
    websocket({ url: `ws://127.0.0.1:${settings.wsPort}/mqtt` }).open()
  ),
  // No global WebSocket needed: RFC 6455 over the runtime's tunnel (nodeHttpProxy's).
  websocketProxy: await exchange(() =>
    websocketViaProxy({
      proxy: settings.proxy,
      url: `ws://127.0.0.1:${settings.wsPort}/mqtt`,
    }).open()
  ),
};
process.stdout.write(JSON.stringify(results));
