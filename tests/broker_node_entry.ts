/**
 * The embedded broker under Node or Bun (bundled by tests/broker_node_test.ts): listens with
 * `node:net` on a free port, prints it, and serves until SIGTERM.
 */
import process from "node:process";
import { Broker } from "@tern/broker";

const broker = new Broker();
const listener = await broker.listen({ port: 0 });
console.log(`listening ${listener.port}`);
process.on("SIGTERM", async () => {
  const stats = broker.stats();
  await broker.close();
  console.log(`published ${stats.published}`);
  process.exit(0);
});
