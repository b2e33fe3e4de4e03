/**
 * Child process for durable_session_test.ts: a Session on a SqliteStore at the path in its
 * first argument publishes QoS 1 and 2 messages and takes some acknowledgements, receives an
 * unreleased QoS 2 message, prints "ready" and waits to be killed.
 */
import { Session } from "../session.ts";
import { SqliteStore } from "../sqlite_store.ts";
import { bytes, openAndAccept, sent } from "./session_fixture.ts";

const store = new SqliteStore({ path: Deno.args[0] });
const session = new Session({ clientId: "durable", protocolVersion: 5, store });
openAndAccept(session);
for (let i = 1; i <= 6; i++) {
  session.publish({ topic: `t/${i}`, payload: bytes(`m${i}`), qos: i % 2 === 0 ? 2 : 1 }, 1);
}
sent(session, 1); // PUBLISH ids 1..6, each recorded in the store before it is handed out
session.handlePacket({ type: "pubrec", packetId: 2, reasonCode: 0 }, 2); // m2 released
session.handlePacket({ type: "puback", packetId: 3, reasonCode: 0 }, 2); // m3 done
session.handlePacket({ type: "pubrec", packetId: 4, reasonCode: 0 }, 2);
session.handlePacket({ type: "pubcomp", packetId: 4, reasonCode: 0 }, 2); // m4 done
session.handlePacket({
  type: "publish",
  topic: "in/7",
  payload: bytes("inbound"),
  qos: 2,
  retain: false,
  dup: false,
  packetId: 7,
}, 3); // delivered, PUBREC owed, PUBREL not yet seen
sent(session, 3);
console.log("ready");
// Keep the process (and the open database) alive until the test's SIGKILL.
setInterval(() => {}, 60_000);
