// The parts of Tern that touch files and SQLite, as a user's program would use them: the
// AWS mutual-TLS builder reading PEM files, then a client over the options it built, and
// SqliteStore and SqliteShadowStore (or the errors that say why they cannot be used). argv[2]: JSON
// { port, clientId, certFile, keyFile, caFile, dbPath }. Prints one line of JSON.
// Started by tests/runtimes_test.ts.
import process from "node:process";
import { MqttClient } from "@tern/agent";
import { mtlsOptionsFromFiles, toMqttClientOptions } from "@tern/aws";

const { port, clientId, certFile, keyFile, caFile, dbPath } = JSON.parse(process.argv[2]);
const result = {};

const options = await mtlsOptionsFromFiles({
  endpoint: "localhost",
  port,
  clientId,
  certFile,
  keyFile,
  caFile,
});
const client = new MqttClient(toMqttClientOptions(options));
await client.start();
result.awsPuback = (await client.publish(`tern/aws/${clientId}`, "from files", { qos: 1 }))
  .reasonCode;
await client.stop();

try {
  const { SqliteStore } = await import("@tern/agent/sqlite-store");
  const packet = {
    type: "publish",
    topic: "t",
    payload: new Uint8Array([1]),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 7,
  };
  const store = new SqliteStore({ path: dbPath });
  store.putOutbound(clientId, { packetId: 7, state: "awaitingAck", packet });
  store.close();
  const reopened = new SqliteStore({ path: dbPath });
  result.sqlite = reopened.outbound(clientId).map((entry) => entry.packetId);
  reopened.close();
} catch (error) {
  result.sqliteError = error.message;
}
try {
  const { SqliteShadowStore } = await import("@tern/shadow/sqlite");
  const store = new SqliteShadowStore({ path: `${dbPath}.shadow` });
  store.put({ thingName: "lamp" }, { state: { reported: { on: true } }, metadata: {}, version: 3 });
  result.shadowSqlite = store.get({ thingName: "lamp" })?.version;
  store[Symbol.dispose]();
} catch (error) {
  result.shadowSqliteError = error.message;
}
process.stdout.write(`${JSON.stringify(result)}\n`);
