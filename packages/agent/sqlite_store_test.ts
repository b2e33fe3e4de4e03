import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteStore } from "./sqlite_store.ts";
import { entry, testSessionStore } from "./testdata/session_store_contract.ts";

testSessionStore("SqliteStore", () => new SqliteStore({ path: ":memory:" }));

async function withDatabase(fn: (path: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tern-sqlite-store-" });
  try {
    await fn(`${dir}/session.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SqliteStore keeps its state when closed and opened again", async () => {
  await withDatabase((path) => {
    const first = new SqliteStore({ path, synchronous: "full" });
    first.putOutbound("c", entry(1, 2));
    first.putOutbound("c", { ...entry(1, 2), state: "released" });
    first.putOutbound("c", entry(2, 1));
    first.putInboundReceived("c", 77);
    first.close();
    const second = new SqliteStore({ path });
    try {
      assert.deepEqual(second.outbound("c"), [{ ...entry(1, 2), state: "released" }, entry(2, 1)]);
      assert.deepEqual(second.inboundReceived("c"), [77]);
    } finally {
      second.close();
    }
  });
});

Deno.test("SqliteStore refuses a database written with another schema version", async () => {
  await withDatabase((path) => {
    new SqliteStore({ path }).close();
    const db = new DatabaseSync(path);
    db.exec("PRAGMA user_version = 99");
    db.close();
    assert.throws(() => new SqliteStore({ path }), /has schema version 99, expected 1/);
  });
});

Deno.test("SqliteStore rejects bad options with a clear error", () => {
  assert.throws(() => new SqliteStore({ path: "" }), /path must be a non-empty string/);
  assert.throws(
    () => new SqliteStore({ path: ":memory:", synchronous: "off" as "full" }),
    /synchronous must be "normal" or "full", got off/,
  );
});

/** The writer's steps for packet id `i`: the state it must be in once `i` was reported done. */
function expectedAfter(i: number): "awaitingAck" | "released" | "deleted" {
  if (i % 3 === 0) return "deleted";
  return i % 2 === 0 ? "released" : "awaitingAck";
}

const writerScript = new URL("./testdata/sqlite_store_writer.ts", import.meta.url).pathname;

Deno.test("SqliteStore loses no completed call when its process is killed mid-stream", async () => {
  await withDatabase(async (path) => {
    const writer = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", writerScript, path],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    // The writer prints each packet id once its calls have returned; kill it somewhere past 300.
    let done = 0;
    const lines = writer.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    while (done < 300) {
      const { value, done: ended } = await lines.read();
      assert.ok(!ended, "the writer exited before it was killed");
      buffered += value;
      const complete = buffered.split("\n");
      buffered = complete.pop()!;
      for (const line of complete) if (line !== "") done = Number(line);
    }
    writer.kill("SIGKILL");
    const status = await writer.status;
    await lines.cancel();
    assert.equal(status.signal, "SIGKILL");

    const store = new SqliteStore({ path });
    try {
      const entries = store.outbound("writer");
      const reported = entries.filter((e) => e.packetId <= done);
      const expected = [];
      for (let i = 1; i <= done; i++) {
        const state = expectedAfter(i);
        if (state !== "deleted") expected.push([i, state]);
      }
      assert.deepEqual(reported.map((e) => [e.packetId, e.state]), expected);
      for (const e of reported) {
        assert.equal(new TextDecoder().decode(e.packet.payload), `message ${e.packetId}`);
      }
      // Past the last reported id the writer may have completed a few more calls, in order.
      const ids = entries.map((e) => e.packetId);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.deepEqual(
        store.inboundReceived("writer").filter((id) => id <= done),
        Array.from({ length: done }, (_, k) => k + 1).filter((i) => i % 2 === 1 && i % 5 !== 0),
      );
    } finally {
      store.close();
    }
  });
});
