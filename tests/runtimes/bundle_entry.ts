// One bundle of the client with every runtime's adapters kept (no externals), run as it is
// by Node, Bun and Deno: connect(url) must find that runtime's sockets inside it. argv[2]:
// JSON { url, wsUrl }. Prints the PUBACK reason codes as JSON. Bundled and started by
// tests/runtimes_test.ts.
import process from "node:process";
import { connect } from "@tern/agent";

const { url, wsUrl } = JSON.parse(process.argv[2]);
const codes = [];
for (const [address, clientId] of [[url, "bundle-tcp"], [wsUrl, "bundle-ws"]]) {
  const client = await connect(address, { clientId });
  codes.push((await client.publish("tern/bundle", "hello", { qos: 1 })).reasonCode);
  await client.stop();
}
process.stdout.write(JSON.stringify(codes));
