import assert from "node:assert/strict";
import { startBroker } from "./broker.ts";

Deno.test("startBroker() starts mosquitto that answers a CONNECT with a CONNACK", async () => {
  await using broker = await startBroker({ websocket: true, persistence: true });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: broker.port });
  try {
    // MQTT 3.1.1 CONNECT, client id "t", clean session, keep-alive 60
    await conn.write(
      new Uint8Array([0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 1, 0x74]),
    );
    const buffer = new Uint8Array(4);
    let read = 0;
    while (read < 4) {
      const n = await conn.read(buffer.subarray(read));
      assert.ok(n !== null, "broker closed the connection");
      read += n;
    }
    assert.deepEqual([...buffer], [0x20, 2, 0, 0]);
  } finally {
    conn.close();
  }
  await broker.restart();
  const again = await Deno.connect({ hostname: "127.0.0.1", port: broker.port });
  again.close();
});
