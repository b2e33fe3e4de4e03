/// <reference lib="dom" />
/**
 * Runs in a browser tab (bundled by tests/broker_browser_test.ts): an embedded broker and
 * a Tern MqttClient on its in-memory transport, no sockets; the result goes into the page.
 */
import { Broker } from "@tern/broker";
import { MqttClient } from "@tern/agent";

const report = (text: string) => {
  document.body.textContent = text;
};
try {
  const broker = new Broker();
  const client = new MqttClient({ transport: broker.connect(), reconnect: false });
  await client.start();
  const inbox = client.subscribe("browser/#", { qos: 1 });
  await inbox;
  await client.publish("browser/tab", "hello from the tab", { qos: 1 });
  const { value } = await inbox.next();
  await inbox.return();
  await client.stop();
  await broker.close();
  report(`echo: ${new TextDecoder().decode(value!.payload)}`);
} catch (error) {
  report(`error: ${(error as Error).stack}`);
}
