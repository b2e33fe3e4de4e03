import assert from "node:assert/strict";
import type { AuthPacket } from "@tern/codec";
import { EnhancedAuth } from "./_enhanced_auth.ts";

const auth = (reasonCode: number, authenticationMethod = "SCRAM"): AuthPacket => ({
  type: "auth",
  reasonCode,
  properties: { authenticationMethod },
});

Deno.test("request() builds AUTH with the method, and refuses what cannot be sent", () => {
  const exchange = new EnhancedAuth(5, "SCRAM");
  const data = new Uint8Array([1]);
  assert.deepEqual(exchange.request(0x18, "connecting", data), {
    type: "auth",
    reasonCode: 0x18,
    properties: { authenticationMethod: "SCRAM", authenticationData: data },
  });
  assert.throws(() => exchange.request(0x19, "connecting"), /not connected/);
  assert.throws(() => exchange.request(0x18, "disconnected"), /not connected/);
  assert.throws(() => new EnhancedAuth(4, "SCRAM").request(0x18, "connected"), /needs MQTT 5/);
  assert.throws(() => new EnhancedAuth(5, undefined).request(0x18, "connected"), /needs MQTT 5/);
});

Deno.test("AUTH Success fits only while a re-authentication is outstanding", () => {
  const exchange = new EnhancedAuth(5, "SCRAM");
  assert.equal(exchange.judge(auth(0)), "Unexpected AUTH with Success");
  assert.equal(exchange.judge(auth(0x18)), undefined);
  exchange.request(0x19, "connected");
  assert.equal(exchange.judge(auth(0)), undefined);
  assert.equal(exchange.judge(auth(0)), "Unexpected AUTH with Success");
  exchange.request(0x19, "connected");
  exchange.reset();
  assert.equal(exchange.judge(auth(0)), "Unexpected AUTH with Success");
});

Deno.test("AUTH without enhanced authentication, or for another method, is a violation", () => {
  assert.equal(
    new EnhancedAuth(5, undefined).judge(auth(0x18)),
    "Unexpected AUTH: the client asked for no enhanced authentication",
  );
  assert.equal(
    new EnhancedAuth(5, "SCRAM").judge(auth(0x18, "OTHER")),
    "AUTH names a different authentication method",
  );
});
