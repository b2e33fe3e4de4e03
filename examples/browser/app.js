// The page's logic: one MqttClient over WebSocket, from the browser bundle that
// `deno task build:browser` writes to dist/browser/tern.js.
import { Backoff, MqttClient } from "../../dist/browser/tern.js";

const $ = (id) => document.getElementById(id);
const text = new TextDecoder();
const forms = ["subscribe", "publish"];
/** What the page shows, for the console (and for tests/browser_test.ts). */
const state = { status: "stopped", connections: 0, messages: [], errors: [] };
let client;
globalThis.ternDemo = {
  state,
  get client() {
    return client;
  },
};

const query = new URLSearchParams(location.search);
if (query.has("url")) $("url").value = query.get("url");

function setStatus(status) {
  state.status = status;
  $("status").textContent = status;
  $("status").dataset.state = status;
  const running = status !== "stopped";
  $("connect").disabled = running;
  $("disconnect").disabled = !running;
  for (const form of forms) $(form).querySelector("button").disabled = !running;
}

function log(line, isError = false) {
  const item = document.createElement("li");
  item.textContent = line;
  if (isError) item.className = "error";
  $("log").prepend(item);
}

// A handler that throws does not stop the client: the error is reported (reportError), and
// the page logs it.
addEventListener("error", (event) => {
  const message = event.error?.message ?? event.message;
  state.errors.push(message);
  log(`a handler threw: ${message}`, true);
});

function show(message) {
  const payload = text.decode(message.payload);
  state.messages.push({ topic: message.topic, qos: message.qos, payload });
  const row = document.createElement("tr");
  for (const cell of [message.topic, String(message.qos), payload]) {
    row.append(Object.assign(document.createElement("td"), { textContent: cell }));
  }
  $("messages").prepend(row);
  $("count").textContent = String(state.messages.length);
}

$("connection").addEventListener("submit", async (event) => {
  event.preventDefault();
  const url = $("url").value;
  client = new MqttClient({
    url,
    clientId: `tern-page-${crypto.randomUUID().slice(0, 8)}`,
    reconnect: new Backoff({ minDelayMs: 250, maxDelayMs: 5000 }),
  });
  client.on("attemptingconnect", () => {
    if (state.status !== "reconnecting") setStatus("connecting");
  });
  client.on("connectionsuccess", ({ settings }) => {
    state.connections++;
    setStatus("connected");
    log(`connected to ${url} (${settings.rejoinedSession ? "session resumed" : "new session"})`);
  });
  client.on("connectionfailure", ({ error }) => log(`cannot connect: ${error.message}`, true));
  client.on("disconnection", ({ error }) => {
    setStatus("reconnecting");
    log(`connection lost: ${error.message}`, true);
  });
  client.on("stopped", () => {
    setStatus("stopped");
    $("subscriptions").replaceChildren();
    log("stopped");
  });
  setStatus("connecting");
  await client.start().catch((error) => log(`cannot start: ${error.message}`, true));
});

$("disconnect").addEventListener("click", () => client?.stop());

$("subscribe").addEventListener("submit", async (event) => {
  event.preventDefault();
  const filter = $("filter").value;
  const qos = Number($("subscribe-qos").value);
  const item = Object.assign(document.createElement("li"), { textContent: `${filter}: …` });
  $("subscriptions").append(item);
  try {
    const subscription = client.subscribe(filter, { qos, handler: show });
    const [code] = (await subscription).reasonCodes;
    item.textContent = code < 0x80
      ? `${filter}: granted QoS ${code}`
      : `${filter}: refused (0x${code.toString(16)})`;
    const unsubscribe = Object.assign(document.createElement("button"), {
      textContent: "unsubscribe",
      onclick: () => subscription.unsubscribe().then(() => item.remove()),
    });
    item.append(" ", unsubscribe);
  } catch (error) {
    item.textContent = `${filter}: ${error.message}`;
  }
});

$("publish").addEventListener("submit", async (event) => {
  event.preventDefault();
  const topic = $("topic").value;
  const qos = Number($("publish-qos").value);
  try {
    await client.publish(topic, $("payload").value, { qos });
    log(`published to ${topic} at QoS ${qos}`);
  } catch (error) {
    log(`cannot publish: ${error.message}`, true);
  }
});
