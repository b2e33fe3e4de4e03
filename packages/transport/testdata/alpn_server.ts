import type { TestCertificates } from "../../../tests/support/certs.ts";

/** A TLS listener for one connection, and the ALPN protocol its handshake chose. */
export interface AlpnServer extends Disposable {
  /** The loopback port it listens on. */
  port: number;
  /** The protocol the server side negotiated with the one client, or `null` for none. */
  chosen: Promise<string | null>;
}

/** Listens with the test server certificate, supporting only `alpnProtocols`. */
export function alpnServer(certs: TestCertificates, alpnProtocols: string[]): AlpnServer {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: certs.pem.serverCert,
    key: certs.pem.serverKey,
    alpnProtocols,
  });
  const chosen = (async () => {
    using conn = await listener.accept();
    return (await conn.handshake()).alpnProtocol;
  })();
  return { port: listener.addr.port, chosen, [Symbol.dispose]: () => listener.close() };
}
