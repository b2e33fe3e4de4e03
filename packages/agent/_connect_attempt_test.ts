import assert from "node:assert/strict";
import type { Transport } from "@tern/transport";
import type { ConnectAttempt, ConnectOverrides } from "./client_options.ts";
import type { ConnectUpdate } from "./session_types.ts";
import { prepareAttempt } from "./_connect_attempt.ts";
import { ServerList } from "./_server_list.ts";

const transports = new Map<string, Transport>();
const toTransport = (url: URL): Transport => {
  const transport = { open: () => Promise.reject(new Error("not opened in this test")) };
  transports.set(url.href, transport);
  return transport;
};

function sources(provider?: (attempt: ConnectAttempt) => unknown) {
  const updates: ConnectUpdate[] = [];
  return {
    updates,
    sources: {
      provider: provider as ((attempt: ConnectAttempt) => ConnectOverrides) | undefined,
      servers: new ServerList(["mqtt://a:1883"], toTransport),
      session: { updateConnectOptions: (update: ConnectUpdate) => void updates.push(update) },
    },
  };
}

const attempt = (signal = new AbortController().signal): ConnectAttempt => ({
  attempt: 1,
  server: "mqtt://a:1883",
  signal,
});

Deno.test("without a provider the attempt goes to the current server", async () => {
  const { sources: s } = sources();
  assert.equal(await prepareAttempt(attempt(), s), s.servers.transport);
});

Deno.test("a provider's CONNECT fields go to the session, its URL to this attempt only", async () => {
  const { sources: s, updates } = sources(() => ({ password: "token", url: "mqtt://b:1883" }));
  const transport = await prepareAttempt(attempt(), s);
  assert.equal(transport, transports.get("mqtt://b:1883"));
  assert.deepEqual(updates, [{ password: "token" }]);
  assert.equal(s.servers.current, "mqtt://a:1883");
});

Deno.test("a provider's transport wins over its URL", async () => {
  const own: Transport = { open: () => Promise.reject(new Error("unused")) };
  const { sources: s } = sources(() => Promise.resolve({ transport: own, url: "mqtt://b" }));
  assert.equal(await prepareAttempt(attempt(), s), own);
});

Deno.test("a provider that returns no object fails the attempt with a clear error", async () => {
  const { sources: s, updates } = sources(() => null);
  await assert.rejects(prepareAttempt(attempt(), s), {
    name: "TypeError",
    message: "Cannot connect: connectOptionsProvider must return an object, got null",
  });
  assert.deepEqual(updates, []);
});

Deno.test("an abort ends the wait for a provider that never answers", async () => {
  const controller = new AbortController();
  const { sources: s } = sources(() => new Promise(() => {}));
  const prepared = prepareAttempt(attempt(controller.signal), s);
  controller.abort(new Error("stopped"));
  await assert.rejects(prepared, { message: "stopped" });
});
