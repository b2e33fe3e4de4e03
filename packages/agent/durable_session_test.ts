import assert from "node:assert/strict";
import { Session } from "./session.ts";
import { SqliteStore } from "./sqlite_store.ts";
import { events, openAndAccept, sent } from "./testdata/session_fixture.ts";

const child = new URL("./testdata/durable_session_child.ts", import.meta.url).pathname;

Deno.test("a Session on a SqliteStore resumes a killed process's QoS 1 / 2 flows in order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-durable-session-" });
  const path = `${dir}/session.db`;
  try {
    const process = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", child, path],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let output = "";
    while (!output.includes("ready\n")) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the child exited before it was ready: ${output}`);
      output += value;
    }
    process.kill("SIGKILL");
    await reader.cancel();
    assert.equal((await process.status).signal, "SIGKILL");

    // A new process with the same client id and store: the broker still has the session.
    const store = new SqliteStore({ path });
    try {
      const session = new Session({
        clientId: "durable",
        protocolVersion: 5,
        store,
        cleanStart: false,
      });
      session.handleConnectionOpened(10);
      const [connect] = sent(session, 10);
      assert.equal(connect.type === "connect" && connect.cleanStart, false);
      session.handlePacket({ type: "connack", sessionPresent: true, reasonCode: 0 }, 11);
      assert.equal(events(session)[0]?.type, "connectionsuccess");
      // [MQTT-4.4.0-1] PUBLISH with DUP for unacknowledged ones, PUBREL for the released one,
      // in original order: m1 (QoS 1), m2 (PUBREC'd), m5 (QoS 1), m6 (QoS 2).
      const resent = sent(session, 11).map((p) =>
        p.type === "publish"
          ? `publish ${p.packetId} dup=${p.dup} ${new TextDecoder().decode(p.payload)}`
          : `${p.type} ${"packetId" in p ? p.packetId : ""}`
      );
      assert.deepEqual(resent, [
        "publish 1 dup=true m1",
        "pubrel 2",
        "publish 5 dup=true m5",
        "publish 6 dup=true m6",
      ]);
      // The broker redelivers the unreleased inbound QoS 2 message: answered, not delivered again.
      session.handlePacket({
        type: "publish",
        topic: "in/7",
        payload: new Uint8Array([1]),
        qos: 2,
        retain: false,
        dup: true,
        packetId: 7,
      }, 12);
      assert.deepEqual(sent(session, 12), [{ type: "pubrec", packetId: 7 }]);
      assert.deepEqual(events(session), []);
      // Completing the flows empties the store.
      session.handlePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 13);
      session.handlePacket({ type: "pubcomp", packetId: 2, reasonCode: 0 }, 13);
      session.handlePacket({ type: "puback", packetId: 5, reasonCode: 0 }, 13);
      session.handlePacket({ type: "pubrec", packetId: 6, reasonCode: 0 }, 13);
      session.handlePacket({ type: "pubcomp", packetId: 6, reasonCode: 0 }, 13);
      session.handlePacket({ type: "pubrel", packetId: 7, reasonCode: 0 }, 13);
      assert.deepEqual(sent(session, 13), [
        { type: "pubrel", packetId: 6 },
        { type: "pubcomp", packetId: 7 },
      ]);
      // Restored flows have no caller waiting: they complete silently.
      assert.deepEqual(events(session), []);
      assert.deepEqual(store.outbound("durable"), []);
      assert.deepEqual(store.inboundReceived("durable"), []);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Session on a SqliteStore sends restored publishes again as new when the session is gone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-durable-session-" });
  const path = `${dir}/session.db`;
  try {
    const first = new SqliteStore({ path });
    const before = new Session({ clientId: "durable", protocolVersion: 5, store: first });
    openAndAccept(before);
    before.publish({ topic: "t", payload: new Uint8Array([9]), qos: 1 }, 1);
    sent(before, 1);
    first.close();

    const store = new SqliteStore({ path });
    try {
      const session = new Session({
        clientId: "durable",
        protocolVersion: 5,
        store,
        cleanStart: false,
      });
      openAndAccept(session, { sessionPresent: false });
      const [again] = sent(session, 1);
      assert.equal(again.type, "publish");
      assert.equal(again.type === "publish" && again.dup, false);
      assert.deepEqual(store.outbound("durable").map((e) => e.packetId), [
        again.type === "publish" ? again.packetId : -1,
      ]);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
