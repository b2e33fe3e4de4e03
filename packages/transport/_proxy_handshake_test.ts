import assert from "node:assert/strict";
import { connectRequest, parseProxyUrl, readConnectResponse } from "./_proxy_handshake.ts";
import { assertTransportError } from "./testdata/assert_error.ts";

/** A `read(into)` that returns `text` in pieces of `size` bytes. */
function reads(text: string, size = Infinity) {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return (into: Uint8Array): Promise<number | null> => {
    if (at >= bytes.length) return Promise.resolve(null);
    const n = Math.min(size, into.length, bytes.length - at);
    into.set(bytes.subarray(at, at + n));
    at += n;
    return Promise.resolve(n);
  };
}

Deno.test("parseProxyUrl() turns URL credentials into a basic auth header", () => {
  const proxy = parseProxyUrl("http://al%40ice:p%C3%A4ss@127.0.0.1:3128");
  assert.deepEqual(proxy, {
    hostname: "127.0.0.1",
    port: 3128,
    secure: false,
    authorization: `Basic ${btoa("al@ice:p\u00c3\u00a4ss")}`,
  });
  assert.deepEqual(parseProxyUrl("http://[::1]"), { hostname: "::1", port: 80, secure: false });
});

Deno.test("parseProxyUrl() takes https:// proxies, on port 443 by default", () => {
  assert.deepEqual(parseProxyUrl("https://proxy.internal"), {
    hostname: "proxy.internal",
    port: 443,
    secure: true,
  });
  assert.equal(parseProxyUrl("https://proxy.internal:8443").port, 8443);
  assert.throws(
    () => parseProxyUrl("socks5://proxy"),
    new TypeError(
      'Cannot create http proxy transport: proxy URL must start with http:// or https://, got "socks5:"',
    ),
  );
});

Deno.test("connectRequest() asks for the target and carries the credentials", () => {
  const text = new TextDecoder().decode(
    connectRequest("broker:8883", {
      hostname: "p",
      port: 1,
      secure: false,
      authorization: "Basic eDp5",
    }),
  );
  assert.equal(
    text,
    "CONNECT broker:8883 HTTP/1.1\r\nHost: broker:8883\r\nProxy-Authorization: Basic eDp5\r\n\r\n",
  );
});

Deno.test("readConnectResponse() accepts a 200 that arrives one byte at a time", async () => {
  await readConnectResponse(reads("HTTP/1.1 200 Connection established\r\nX: y\r\n\r\n", 1), "t");
});

Deno.test("readConnectResponse() tells 407 from other statuses", async () => {
  const auth = await assertTransportError(
    readConnectResponse(reads("HTTP/1.0 407 Proxy Authentication Required\r\n\r\nbody"), "t"),
    "proxy-auth-required",
  );
  assert.equal(
    auth.message,
    "Cannot t: the proxy requires authentication (407 Proxy Authentication Required)",
  );
  const forbidden = await assertTransportError(
    readConnectResponse(reads("HTTP/1.1 403\r\n\r\n"), "t"),
    "proxy-status",
  );
  assert.equal(forbidden.status, 403);
});

Deno.test("readConnectResponse() rejects what is not a clean CONNECT answer", async () => {
  await assertTransportError(
    readConnectResponse(reads("SSH-2.0-x\r\n\r\n"), "t"),
    "proxy-protocol",
  );
  await assertTransportError(
    readConnectResponse(reads("HTTP/1.1 200 OK\r\n"), "t"),
    "proxy-protocol",
  );
  await assertTransportError(
    readConnectResponse(reads("HTTP/1.1 200 OK\r\n\r\n\x20\x02\x00\x00"), "t"),
    "proxy-protocol",
  );
  await assertTransportError(
    readConnectResponse(reads("HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(10_000)), "t"),
    "proxy-protocol",
  );
});
