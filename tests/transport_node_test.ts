// The node adapter under Node 20 (/usr/bin/node) and Bun (`npm install -g bun`), against
// mosquitto and tinyproxy: the entry point is bundled with `deno bundle` and run by each.
import assert from "node:assert/strict";
import {
  CONNACK,
  connectPacket,
  PUBACK,
  publishPacket,
} from "../packages/transport/testdata/exchange.ts";
import { startTinyproxy } from "../packages/transport/testdata/tinyproxy.ts";
import { startBroker } from "./support/broker.ts";
import { generateCertificates } from "./support/certs.ts";
import { bundle, hex } from "./transport_bundle.ts";

const expected = {
  written: hex([connectPacket("node"), publishPacket("tern/transport", "hello")]),
  read: hex([CONNACK, PUBACK]),
};

for (const runtime of ["node", "bun"]) {
  Deno.test(`the node adapter exchanges the same bytes under ${runtime}`, async () => {
    const certs = await generateCertificates();
    const dir = await Deno.makeTempDir({ prefix: "tern-node-" });
    try {
      await using broker = await startBroker({ certificates: certs, websocket: true });
      await using proxy = await startTinyproxy({ credentials: { user: "tern", password: "pw" } });
      const entry = await bundle(new URL("./transport_node_entry.ts", import.meta.url).pathname, {
        outDir: dir,
        platform: "deno",
        name: "entry.mjs",
      });
      const settings = {
        port: broker.port,
        wsPort: broker.wsPort,
        tlsPort: broker.tlsPort,
        mtlsPort: broker.mtlsPort,
        proxy: proxy.url,
        caCert: certs.pem.caCert,
        clientCert: certs.pem.clientCert,
        clientKey: certs.pem.clientKey,
      };
      let output: Deno.CommandOutput;
      try {
        output = await new Deno.Command(runtime, {
          args: [entry, JSON.stringify(settings)],
          stdout: "piped",
          stderr: "piped",
        }).output();
      } catch (error) {
        throw new Error(`Cannot run ${runtime}: is it installed? (npm install -g ${runtime})`, {
          cause: error,
        });
      }
      const stderr = new TextDecoder().decode(output.stderr);
      assert.ok(output.success, `${runtime} failed: ${stderr}`);
      const results = JSON.parse(new TextDecoder().decode(output.stdout));
      assert.deepEqual(results.tcp, expected);
      assert.deepEqual(results.tls, expected);
      assert.deepEqual(results.mtls, expected);
      assert.deepEqual(results.proxy, expected);
      assert.deepEqual(results.unknownCa, { code: "tls-unknown-ca" });
      assert.deepEqual(results.noClientCert, { code: "tls-client-certificate-rejected" });
      assert.deepEqual(results.websocket, expected);
      assert.deepEqual(results.websocketProxy, expected);
      assert.equal(await proxy.connects(), 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(certs.dir, { recursive: true });
    }
  });
}
