import assert from "node:assert/strict";
import { validateTokenRequest, validateUpdate } from "./validate.ts";

const encode = (text: string) => new TextEncoder().encode(text);

Deno.test("validateUpdate() returns the sections, version and clientToken (§1.3)", () => {
  assert.deepStrictEqual(
    validateUpdate(
      encode('{"state":{"desired":{"a":1},"reported":null},"version":3,"clientToken":"t","x":1}'),
    ),
    {
      ok: true,
      request: { state: { desired: { a: 1 }, reported: null }, version: 3, clientToken: "t" },
    },
  );
});

Deno.test("validateUpdate() drops a delta key from state (§1.3)", () => {
  assert.deepStrictEqual(validateUpdate(encode('{"state":{"delta":{"a":1}}}')), {
    ok: true,
    request: { state: {} },
  });
});

Deno.test("validateUpdate() accepts state null, version 0 and a 64-byte token (§1.3, §1.8)", () => {
  const token = "é".repeat(32);
  assert.deepStrictEqual(
    validateUpdate(encode(JSON.stringify({ state: null, version: 0, clientToken: token }))),
    { ok: true, request: { state: null, version: 0, clientToken: token } },
  );
});

Deno.test("validateUpdate() reads the depth limit from its options (§1.8)", () => {
  const payload = encode('{"state":{"reported":{"a":{"b":1}}}}');
  assert.equal(validateUpdate(payload, { maxDepth: 2 }).ok, true);
  assert.deepStrictEqual(validateUpdate(payload, { maxDepth: 1 }), {
    ok: false,
    problem: { code: 400, message: "JSON contains too many levels of nesting; maximum is 1" },
  });
});

Deno.test("validateTokenRequest() echoes a clientToken and ignores other content (§1.3)", () => {
  assert.deepStrictEqual(validateTokenRequest(encode('{"clientToken":"a","x":[1]}')), {
    ok: true,
    request: { clientToken: "a" },
  });
  for (const payload of ["", "not json", "[1]", "{}", '"str"']) {
    assert.deepStrictEqual(validateTokenRequest(encode(payload)), { ok: true, request: {} });
  }
  assert.deepStrictEqual(validateTokenRequest(new Uint8Array([0xff])), { ok: true, request: {} });
});

Deno.test("validateTokenRequest() rejects a clientToken over 64 bytes or not a string", () => {
  for (const token of ['"' + "x".repeat(65) + '"', "12"]) {
    assert.deepStrictEqual(validateTokenRequest(encode(`{"clientToken":${token}}`)), {
      ok: false,
      problem: { code: 400, message: "Invalid clientToken" },
    });
  }
});
