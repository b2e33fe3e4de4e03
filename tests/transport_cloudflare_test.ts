// The cloudflare adapter inside workerd (npm: `npm install -g workerd`), against mosquitto.
import assert from "node:assert/strict";
import {
  CONNACK,
  connectPacket,
  PUBACK,
  publishPacket,
} from "../packages/transport/testdata/exchange.ts";
import { startBroker } from "./support/broker.ts";
import { generateCertificates } from "./support/certs.ts";
import { freePort, waitForPort } from "./support/free_port.ts";
import { bundle, hex, SOCKET_MODULES } from "./transport_bundle.ts";

interface WorkerAnswer {
  written?: string[];
  read?: string[];
  error?: string;
  code?: string;
}

/** workerd config: one Worker trusting the test CA, one trusting nothing but public CAs. */
function config(ports: { trusting: number; untrusting: number }): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "trusting", worker = (
      modules = [(name = "worker.js", esModule = embed "worker.js")],
      compatibilityDate = "2024-09-23",
      globalOutbound = "loopback-private-ca",
    )),
    (name = "untrusting", worker = (
      modules = [(name = "worker.js", esModule = embed "worker.js")],
      compatibilityDate = "2024-09-23",
      globalOutbound = "loopback",
    )),
    (name = "loopback-private-ca", network = (
      allow = ["local"],
      tlsOptions = (trustedCertificates = [embed "ca.crt"]),
    )),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [
    (name = "trusting", address = "127.0.0.1:${ports.trusting}", http = (), service = "trusting"),
    (name = "untrusting", address = "127.0.0.1:${ports.untrusting}", http = (), service = "untrusting"),
  ],
);
`;
}

Deno.test("cloudflare(), websocket() and fromUrl() run CONNECT → PUBACK inside workerd", async () => {
  const certs = await generateCertificates();
  const dir = await Deno.makeTempDir({ prefix: "tern-workerd-" });
  try {
    await using broker = await startBroker({ certificates: certs, websocket: true });
    // A Worker's bundle leaves the Deno and Node sockets out (packages/transport/README.md).
    const worker = await bundle(
      new URL("./transport_cloudflare_worker.ts", import.meta.url).pathname,
      {
        outDir: dir,
        platform: "browser",
        name: "worker.js",
        external: [SOCKET_MODULES.deno, SOCKET_MODULES.node],
      },
    );
    assert.doesNotMatch(await Deno.readTextFile(worker), /Deno\.connect\(|node:net/);
    await Deno.copyFile(certs.caCert, `${dir}/ca.crt`);
    const ports = { trusting: freePort(), untrusting: freePort() };
    await Deno.writeTextFile(`${dir}/config.capnp`, config(ports));
    let workerd: Deno.ChildProcess;
    try {
      workerd = new Deno.Command("workerd", {
        args: ["serve", `${dir}/config.capnp`],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      throw new Error("Cannot start workerd: install it with `npm install -g workerd`", {
        cause: error,
      });
    }
    const stderr = workerd.stderr.pipeThrough(new TextDecoderStream()).getReader();
    const errors = (async () => {
      let text = "";
      for (let r = await stderr.read(); !r.done; r = await stderr.read()) text += r.value;
      return text;
    })();
    let exited = false;
    const status = workerd.status.then((s) => (exited = true, s));
    try {
      await waitForPort(ports.trusting, { isAlive: () => !exited });
      await waitForPort(ports.untrusting, { isAlive: () => !exited });
      const ask = async (port: number, query: Record<string, string>) => {
        const response = await fetch(`http://127.0.0.1:${port}/?${new URLSearchParams(query)}`);
        return await response.json() as WorkerAnswer;
      };
      const expected = {
        written: hex([connectPacket("workerd"), publishPacket("tern/transport", "hello")]),
        read: hex([CONNACK, PUBACK]),
      };

      const plain = await ask(ports.trusting, {
        hostname: "127.0.0.1",
        port: String(broker.port),
        tls: "0",
      });
      assert.deepEqual(plain, expected);

      const secure = await ask(ports.trusting, {
        hostname: "localhost",
        port: String(broker.tlsPort),
        tls: "1",
      });
      assert.deepEqual(secure, expected);

      // fromUrl picks cloudflare:sockets in a Worker, by itself.
      assert.deepEqual(
        await ask(ports.trusting, { fromUrl: `mqtt://127.0.0.1:${broker.port}` }),
        expected,
      );
      assert.deepEqual(
        await ask(ports.trusting, { fromUrl: `mqtts://localhost:${broker.tlsPort}` }),
        expected,
      );
      const withCa = await ask(ports.trusting, {
        fromUrl: `mqtts://localhost:${broker.tlsPort}`,
        caCert: certs.pem.caCert,
      });
      assert.match(
        withCa.error!,
        /^TypeError: Cannot create a TLS transport: Cloudflare Workers sockets cannot take caCerts$/,
      );

      const overWebSocket = await ask(ports.trusting, {
        url: `ws://127.0.0.1:${broker.wsPort}/mqtt`,
      });
      assert.deepEqual(overWebSocket, expected);

      const untrusted = await ask(ports.untrusting, {
        hostname: "localhost",
        port: String(broker.tlsPort),
        tls: "1",
      });
      // workerd does not tell an untrusted certificate from a closed port.
      assert.equal(untrusted.code, "network", untrusted.error ?? "no error message");
      assert.match(untrusted.error!, /refused or the TLS handshake failed/);

      const refused = await ask(ports.trusting, {
        hostname: "127.0.0.1",
        port: String(freePort()),
        tls: "0",
      });
      assert.equal(refused.code, "refused", refused.error ?? "no error message");
    } finally {
      if (!exited) workerd.kill("SIGTERM");
      await status;
      await errors;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(certs.dir, { recursive: true });
  }
});
