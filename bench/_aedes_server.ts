/**
 * aedes (npm, MQTT 3.1.1 only) on `node:net` inside Deno, for bench/broker_compare.ts:
 *
 *   deno run -A bench/_aedes_server.ts PORT
 */
import { Aedes } from "aedes";
import net from "node:net";

const aedes = await Aedes.createBroker();
const server = net.createServer(aedes.handle);
server.listen(Number(Deno.args[0]), "127.0.0.1", () => console.log("listening"));
Deno.addSignalListener("SIGTERM", () => {
  server.close();
  aedes.close(() => Deno.exit(0));
});
