import assert from "node:assert/strict";
import { DeliveryLedger, payloadSeq, seqPayload } from "./delivery_ledger.ts";

Deno.test("seqPayload() and payloadSeq() round-trip a sequence number", () => {
  for (const seq of [0, 1, 9999, 2 ** 40]) assert.equal(payloadSeq(seqPayload(seq)), seq);
  assert.equal(payloadSeq(new TextEncoder().encode("hello")), undefined);
  assert.equal(payloadSeq(new TextEncoder().encode("seq:-1")), undefined);
  assert.equal(payloadSeq(new TextEncoder().encode("seq:1.5")), undefined);
});

Deno.test("DeliveryLedger counts lost, duplicated and unexpected messages", () => {
  const ledger = new DeliveryLedger();
  for (let seq = 0; seq < 10; seq++) ledger.sent(seq);
  for (const seq of [0, 1, 1, 2, 5, 5, 5, 9, 42]) ledger.received(seqPayload(seq));
  ledger.received(new TextEncoder().encode("noise"));
  assert.deepEqual(ledger.summary(), {
    sent: 10,
    received: 10,
    lost: 5, // 3, 4, 6, 7, 8
    duplicated: 3, // one more 1, two more 5
    unexpected: 2, // 42 and "noise"
  });
  assert.equal(ledger.distinctReceived, 5);
});

Deno.test("DeliveryLedger reports a clean stream as nothing lost or duplicated", () => {
  const ledger = new DeliveryLedger();
  for (let seq = 0; seq < 100; seq++) {
    ledger.sent(seq);
    ledger.received(seqPayload(seq));
  }
  assert.deepEqual(ledger.summary(), {
    sent: 100,
    received: 100,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
  });
});
