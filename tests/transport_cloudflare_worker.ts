/**
 * A Worker that runs the CONNECT → PUBACK exchange through the cloudflare adapter (or,
 * given `url`, the websocket adapter; given `fromUrl`, whatever fromUrl picks in a Worker)
 * and answers with the bytes as JSON. Bundled and served by workerd in
 * transport_cloudflare_test.ts.
 */
import { type Transport, TransportError } from "@tern/transport";
import { websocket } from "@tern/transport/websocket";
import { cloudflare } from "@tern/transport/cloudflare";
import { fromUrl } from "@tern/transport/url";
import { runExchange } from "../packages/transport/testdata/exchange.ts";

const hex = (chunks: Uint8Array[]) =>
  chunks.map((bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));

export default {
  async fetch(request: Request): Promise<Response> {
    const query = new URL(request.url).searchParams;
    try {
      const transport: Transport = query.has("fromUrl")
        ? fromUrl(query.get("fromUrl")!, {
          connectTimeoutMs: 10_000,
          caCerts: query.has("caCert") ? [query.get("caCert")!] : undefined,
        })
        : query.has("url")
        ? websocket({ url: query.get("url")!, connectTimeoutMs: 10_000 })
        : cloudflare({
          hostname: query.get("hostname")!,
          port: Number(query.get("port")),
          tls: query.get("tls") === "1",
          connectTimeoutMs: 10_000,
        });
      const connection = await transport.open();
      try {
        const exchange = await runExchange(connection, { clientId: "workerd", via: "readable" });
        return Response.json({ written: hex(exchange.written), read: hex(exchange.read) });
      } finally {
        await connection.close();
      }
    } catch (error) {
      const code = error instanceof TransportError ? error.code : "not-a-transport-error";
      return Response.json({ error: String(error), code });
    }
  },
};
