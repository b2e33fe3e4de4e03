import assert from "node:assert/strict";
import type { InboundMessage } from "@tern/agent";
import { formatterOf } from "./_format.ts";

const message = (payload: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  topic: "a/b",
  payload: new TextEncoder().encode(payload),
  qos: 1,
  retain: false,
  dup: false,
  ...extra,
});
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
// 2026-01-02T03:04:05.123Z
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 123);

Deno.test("the default output is the payload and a newline, nothing for an empty payload", () => {
  const format = formatterOf({});
  assert.equal(text(format(message("hi"), NOW)), "hi\n");
  assert.equal(text(format(message(""), NOW)), "");
});

Deno.test("-v prints topic and payload, and '(null)' for an empty payload", () => {
  const format = formatterOf({ verbose: true });
  assert.equal(text(format(message("hi"), NOW)), "a/b hi\n");
  assert.equal(text(format(message(""), NOW)), "a/b (null)\n");
  assert.equal(text(formatterOf({ verbose: true, eol: false })(message("hi"), NOW)), "a/b hi");
});

Deno.test("-F takes mosquitto's conversions, widths, precision and escapes", () => {
  const properties = {
    userProperties: [["k", "v"], ["k", "w"]] as [string, string][],
    contentType: "text/plain",
    responseTopic: "r",
    messageExpiryInterval: 30,
    payloadFormatIndicator: 1 as const,
    subscriptionIdentifiers: [7],
  };
  const format = formatterOf({
    format: "%t %p %q %r %l %x %X|%5t|%-5t|%.1t|%03l|%P|%C|%R|%E|%F|%S|%A|%%|\\t|\\\\|@@",
  });
  assert.equal(
    text(format(message("Hi", { retain: true, properties }), NOW)),
    "a/b Hi 1 1 2 4869 4869|  a/b|a/b  |a|002|k:v k:w|text/plain|r|30|1|7||%|\t|\\|@\n",
  );
});

Deno.test("-F %U and @s print the time of receipt", () => {
  const format = formatterOf({ format: "%U @s @N", eol: false });
  assert.equal(text(format(message(""), NOW)), "1767323045.123000000 1767323045 123000000");
});

Deno.test("-F %j quotes text and lists the bytes of anything else; %J needs JSON", () => {
  const json = (payload: string | Uint8Array, spec: string) => {
    const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
    const out = text(
      formatterOf({ format: spec, eol: false })({ ...message(""), payload: bytes }, NOW),
    );
    return out === "" ? undefined : JSON.parse(out);
  };
  assert.equal(json("héllo", "%j").payload, "héllo");
  assert.deepStrictEqual(json(new Uint8Array([0xff, 1]), "%j").payload, [255, 1]);
  assert.deepStrictEqual(json('{"a":1}', "%J").payload, { a: 1 });
  assert.equal(json("not json", "%J"), undefined);
  assert.deepStrictEqual(
    Object.keys(json("x", "%j")),
    ["tst", "topic", "qos", "retain", "payloadlen", "payload"],
  );
});
