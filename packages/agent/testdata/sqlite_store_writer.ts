/**
 * Child process for sqlite_store_test.ts: streams QoS 2 flows into a SqliteStore at the path in
 * its first argument and prints each packet id once every call for it has returned, until the
 * test kills it.
 */
import { SqliteStore } from "../sqlite_store.ts";
import { entry } from "./session_store_contract.ts";

const store = new SqliteStore({ path: Deno.args[0] });
const encoder = new TextEncoder();
for (let i = 1; i <= 0xffff; i++) {
  store.putOutbound("writer", entry(i, 2));
  if (i % 2 === 0) store.putOutbound("writer", { ...entry(i, 2), state: "released" });
  if (i % 3 === 0) store.deleteOutbound("writer", i);
  if (i % 2 === 1) store.putInboundReceived("writer", i);
  if (i % 5 === 0) store.deleteInboundReceived("writer", i);
  Deno.stdout.writeSync(encoder.encode(`${i}\n`));
}
throw new Error("Cannot keep writing: ran out of packet ids before the test killed this process");
