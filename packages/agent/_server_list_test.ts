import assert from "node:assert/strict";
import type { Transport } from "@tern/transport";
import { ServerList } from "./_server_list.ts";
import { ConnectionClosedError, ConnectionRefusedError } from "./errors.ts";

const made: string[] = [];
const toTransport = (url: URL): Transport => {
  if (!/^(mqtts?|ws|wss|tcp|tls):$/.test(url.protocol)) {
    throw new TypeError(`no transport for ${url.protocol}`);
  }
  made.push(url.href);
  return { open: () => Promise.reject(new Error(`closed: ${url.href}`)) };
};
const lost = new Error("connection refused");
const refused = (reasonCode: number, serverReference?: string) =>
  new ConnectionRefusedError("refused", { reasonCode, serverReference });

Deno.test("servers are tried in turn and a delay is due only once each was tried", () => {
  const list = new ServerList(["mqtt://a:1883", "mqtt://b:1883", "mqtt://c:1883"], toTransport);
  const seen: unknown[] = [];
  const delays: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    seen.push(list.current);
    const due = list.ended(lost, false);
    delays.push(due);
    if (due) list.waited();
  }
  assert.deepEqual(seen, [
    "mqtt://a:1883",
    "mqtt://b:1883",
    "mqtt://c:1883",
    "mqtt://a:1883",
    "mqtt://b:1883",
    "mqtt://c:1883",
  ]);
  assert.deepEqual(delays, [false, false, true, false, false, true]);
});

Deno.test("a lost accepted connection retries the same server after a delay", () => {
  const list = new ServerList(["mqtt://a:1883", "mqtt://b:1883"], toTransport);
  list.ended(lost, false);
  assert.equal(list.current, "mqtt://b:1883");
  list.connected();
  assert.equal(list.ended(lost, true), true);
  assert.equal(list.current, "mqtt://b:1883");
});

Deno.test("a single server always waits between attempts", () => {
  const list = new ServerList(["mqtt://a:1883"], toTransport);
  assert.equal(list.ended(lost, false), true);
  list.waited();
  assert.equal(list.ended(lost, false), true);
  assert.equal(list.current, "mqtt://a:1883");
});

Deno.test("use another server sends the next attempts there, then back to the list", () => {
  const list = new ServerList(["mqtt://a:1883", "mqtt://b:1883"], toTransport);
  assert.equal(list.ended(refused(0x9c, "other:1884"), false), false);
  assert.equal(list.current, "mqtt://other:1884");
  // Accepted, then lost: the redirect holds.
  list.connected();
  assert.equal(list.ended(lost, true), true);
  list.waited();
  assert.equal(list.current, "mqtt://other:1884");
  // It fails: the rotation continues after the entry that redirected.
  assert.equal(list.ended(lost, false), false);
  assert.equal(list.current, "mqtt://b:1883");
});

Deno.test("server moved replaces the entry for good", () => {
  const list = new ServerList(["mqtt://a:1883", "mqtt://b:1883"], toTransport);
  list.ended(refused(0x9d, "mqtt://moved:1885"), false);
  assert.equal(list.current, "mqtt://moved:1885");
  list.ended(lost, false);
  assert.equal(list.current, "mqtt://b:1883");
  list.ended(lost, false);
  assert.equal(list.current, "mqtt://moved:1885");
});

Deno.test("a server DISCONNECT with a reference redirects like a refused CONNACK", () => {
  const list = new ServerList(["mqtts://a:8883"], toTransport);
  const error = new ConnectionClosedError("moved", {
    reasonCode: 0x9c,
    serverReference: "b:8884 c:8885",
    byServer: true,
  });
  list.connected();
  assert.equal(list.ended(error, true), false);
  assert.equal(list.current, "mqtts://b:8884");
});

Deno.test("redirect loops back off instead of spinning", () => {
  const list = new ServerList(["mqtt://a:1883"], toTransport);
  assert.equal(list.ended(refused(0x9d, "b:1883"), false), false);
  assert.equal(list.current, "mqtt://b:1883");
  assert.equal(list.ended(refused(0x9d, "a:1883"), false), true);
  assert.equal(list.current, "mqtt://a:1883");
});

Deno.test("references that cannot be followed are plain failures", () => {
  const cases: [string, Error][] = [
    ["mqtts://a:8883", refused(0x9c, "mqtt://plain:1883")],
    ["mqtt://a:1883", refused(0x9c, "http://web:80")],
    ["mqtt://a:1883", refused(0x9c, "mqtt://[bad")],
    ["mqtt://a:1883", refused(0x9c, "")],
    ["mqtt://a:1883", refused(0x87, "b:1883")],
    ["mqtt://a:1883", new Error("b:1883")],
  ];
  for (const [server, error] of cases) {
    const list = new ServerList([server, "mqtt://next:1883"], toTransport);
    list.ended(error, false);
    assert.equal(list.current, "mqtt://next:1883", `${server} ${error.message}`);
  }
});

Deno.test("a transport server follows only references with a scheme", () => {
  const transport: Transport = { open: () => Promise.reject(new Error("no")) };
  const list = new ServerList([transport], toTransport);
  list.ended(refused(0x9c, "b:1883"), false);
  assert.equal(list.current, transport);
  list.ended(refused(0x9c, "mqtt://b:1883"), false);
  assert.equal(list.current, "mqtt://b:1883");
});

Deno.test("transports are made once per URL entry and reused", () => {
  made.length = 0;
  const list = new ServerList(["mqtt://a:1883"], toTransport);
  const first = list.transport;
  list.ended(lost, false);
  assert.equal(list.transport, first);
  assert.deepEqual(made, ["mqtt://a:1883"]);
});

Deno.test("bad server lists are refused with a clear error", () => {
  assert.throws(() => new ServerList([], toTransport), /servers must be a non-empty array/);
  assert.throws(
    () => new ServerList(["not a url"], toTransport),
    /servers\[0\] is not a valid URL: "not a url"/,
  );
  assert.throws(
    () => new ServerList([{} as Transport], toTransport),
    /servers\[0\] must be a URL or a transport with open\(\)/,
  );
});
