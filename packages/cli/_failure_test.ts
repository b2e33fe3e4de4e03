import assert from "node:assert/strict";
import {
  ClientStoppedError,
  ConnectionClosedError,
  ConnectionRefusedError,
  TimeoutError,
} from "@tern/agent";
import { TransportError } from "@tern/transport";
import { describeFailure } from "./_failure.ts";

const described = (error: unknown, version: 4 | 5 = 4) => {
  const failure = describeFailure(error, version);
  return [failure.message, failure.exitCode];
};

Deno.test("describeFailure() words a refused CONNECT as mosquitto does, with its code as exit code", () => {
  const refused = (code: number) => new ConnectionRefusedError("refused", { reasonCode: code });
  assert.deepStrictEqual(described(refused(4)), [
    "Connection error: Connection Refused: bad user name or password.",
    4,
  ]);
  assert.deepStrictEqual(described(refused(0x86), 5), [
    "Connection error: Bad User Name or Password",
    134,
  ]);
  assert.deepStrictEqual(described(refused(0x9f), 5), [
    "Connection error: Connection rate exceeded",
    159,
  ]);
});

Deno.test("describeFailure() finds the transport error behind a lost connection or a stopped client", () => {
  const transport = (code: TransportError["code"]) =>
    new TransportError("Cannot connect: x", { code });
  assert.deepStrictEqual(described(transport("refused")), ["Error: Connection refused", 1]);
  assert.deepStrictEqual(described(transport("dns")), ["Unable to connect (Lookup error.).", 1]);
  const closed = new ConnectionClosedError("Connection closed", { cause: transport("network") });
  assert.deepStrictEqual(
    described(new ClientStoppedError("stopped", { cause: closed })),
    ["Error: The connection was lost.", 7],
  );
  assert.deepStrictEqual(described(transport("tls-unknown-ca")), [
    "Unable to connect (A TLS error occurred: the server's certificate is not signed by a trusted CA (--cafile)).",
    1,
  ]);
});

Deno.test("describeFailure() names the server's DISCONNECT reason, and times out with 7", () => {
  const byServer = new ConnectionClosedError("Connection closed", {
    reasonCode: 0x8b,
    byServer: true,
  });
  assert.deepStrictEqual(described(byServer, 5), [
    "Error: The connection was lost (Server shutting down).",
    7,
  ]);
  assert.deepStrictEqual(
    described(new TimeoutError("Cannot connect: no CONNACK within 30000 ms")),
    ["Error: Cannot connect: no CONNACK within 30000 ms", 7],
  );
  assert.deepStrictEqual(described(new TypeError("Cannot publish: bad")), [
    "Error: Cannot publish: bad",
    1,
  ]);
});
