// The browser example (examples/browser/) on the bundle from `deno task build:browser`, in
// headless Chromium (Debian's `chromium`) driven through the DevTools protocol, over
// WebSocket to a mosquitto the test starts and restarts. Asserts on the page's state only.
import assert from "node:assert/strict";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { buildBrowser, gzipSize } from "../tools/build_browser.ts";
import { ShadowService } from "@tern/shadow";
import { agentConnector } from "./shadow_support.ts";
import { startBroker } from "./support/broker.ts";
import { freePort } from "./support/free_port.ts";

const CHROMIUM = "/usr/bin/chromium";
const root = new URL("../", import.meta.url);
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

Deno.test("the browser bundle holds no Deno, Node, Workers or proxy adapter code", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-browser-bundle-" });
  try {
    const built = await buildBrowser(new URL(`file://${dir}/tern.js`));
    const transport = built.inputs.filter((input) => input.startsWith("transport/")).sort();
    assert.deepEqual(transport, [
      "transport/_broker_url.ts",
      "transport/_check_tls_settings.ts",
      "transport/_deadline.ts",
      "transport/_endpoint.ts",
      // parseProxyUrl alone: fromUrl checks a proxy option before it refuses mqtt:// here.
      "transport/_proxy_handshake.ts",
      "transport/_runtime.ts",
      "transport/_sockets.ts",
      "transport/errors.ts",
      "transport/url.ts",
      "transport/websocket.ts",
    ]);
    for (
      const expected of [
        "agent/client.ts",
        "subscriptions/topic_trie.ts",
        "shadow/shadow_client.ts",
      ]
    ) {
      assert.ok(built.inputs.includes(expected), `the bundle lacks ${expected}`);
    }
    const code = await Deno.readTextFile(built.outfile);
    for (
      const adapter of [
        /["']node:/,
        /cloudflare:sockets/,
        /connectTls|startTls/,
        /Proxy-Authorization/,
      ]
    ) {
      assert.ok(!adapter.test(code), `the bundle matches ${adapter}`);
    }
    assert.ok(await gzipSize(new TextEncoder().encode(code)) < built.bytes);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the browser example connects, subscribes, publishes, survives a throwing handler and a broker restart, and runs the shadow client in Chromium", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tern-browser-" });
  const screenshot = Deno.env.get("TERN_BROWSER_SCREENSHOT") ?? `${dir}/browser_flow.png`;
  await using broker = await startBroker({ websocket: true });
  const bundle = await buildBrowser(new URL(`file://${dir}/tern.js`));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: freePort(), onListen: () => {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      const file = path === "/dist/browser/tern.js"
        ? bundle.outfile
        : /^\/examples\/browser\/(index\.html|app\.js|style\.css)$/.test(path)
        ? new URL(`.${path}`, root)
        : path === "/examples/browser/"
        ? new URL("examples/browser/index.html", root)
        : undefined;
      if (file === undefined) return new Response("not found", { status: 404 });
      const type = TYPES[String(file).split(".").pop()!];
      return new Response(await Deno.readFile(file), { headers: { "content-type": type } });
    },
  );
  let browser: Browser | undefined;
  let passed = false;
  const pageErrors: string[] = [];
  try {
    try {
      browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        // Root (as in CI) cannot use Chromium's sandbox.
        args: ["--no-sandbox"],
        headless: true,
        pipe: true,
      });
    } catch (error) {
      throw new Error(
        `Cannot start Chromium at ${CHROMIUM}: install it with apt-get install -y chromium`,
        { cause: error },
      );
    }
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 900 });
    page.on("pageerror", (error) => pageErrors.push((error as Error).message));
    const wsUrl = `ws://127.0.0.1:${broker.wsPort}/mqtt`;
    await page.goto(
      `http://127.0.0.1:${server.addr.port}/examples/browser/?url=${encodeURIComponent(wsUrl)}`,
    );

    await page.click("#connect");
    await page.waitForSelector('#status[data-state="connected"]');

    await fill(page, { filter: "tern/browser/#", "subscribe-qos": "2" });
    await page.click("#subscribe button");
    await page.waitForFunction(
      `document.querySelector("#subscriptions li")?.textContent.includes("granted QoS 2")`,
    );

    for (const qos of ["0", "1", "2"]) {
      await publish(page, "tern/browser/echo", `qos ${qos}`, qos);
    }
    await waitForMessages(page, 3);

    // A subscriber of the page's own, whose handler throws: reported, and the page goes on.
    await page.evaluate(`ternDemo.client.subscribe("tern/thrower", {
      qos: 1,
      handler: () => { throw new Error("A handler failed on purpose"); },
    }).then(() => {})`);
    await publish(page, "tern/thrower", "throw", "1");
    await page.waitForFunction(`ternDemo.state.errors.length === 1`);
    assert.match(
      await page.$eval("#log li.error", (item) => item.textContent ?? ""),
      /a handler threw: A handler failed on purpose/,
    );
    await publish(page, "tern/browser/echo", "after the throw", "1");
    await waitForMessages(page, 4);

    await broker.restart();
    await page.waitForFunction(
      `ternDemo.state.connections === 2 && ternDemo.state.status === "connected"`,
    );
    // Only subscriptions restored on the new, empty broker receive these.
    await publish(page, "tern/browser/echo", "after the restart", "1");
    await publish(page, "tern/browser/echo", "after the restart", "2");
    await publish(page, "tern/thrower", "throw again", "1");
    await waitForMessages(page, 6);
    await page.waitForFunction(`ternDemo.state.errors.length === 2`);

    const state = await page.evaluate(`ternDemo.state`) as PageState;
    assert.deepEqual(
      state.messages.map(({ topic, qos, payload }) => `${topic} ${qos} ${payload}`).sort(),
      [
        "tern/browser/echo 0 qos 0",
        "tern/browser/echo 1 after the restart",
        "tern/browser/echo 1 after the throw",
        "tern/browser/echo 1 qos 1",
        "tern/browser/echo 2 after the restart",
        "tern/browser/echo 2 qos 2",
      ],
    );
    assert.deepEqual(state.errors, ["A handler failed on purpose", "A handler failed on purpose"]);
    // The bundle's shadow client, on the page's connection, against the local shadow service
    // run here on another connection to the same broker.
    await using serviceConnection = await agentConnector.connect(broker.url);
    await using _service = await ShadowService.start(serviceConnection);
    const shadow = await page.evaluate(`(async () => {
      const { ShadowClient, asMqttLike } = await import("/dist/browser/tern.js");
      const shadow = new ShadowClient(asMqttLike(ternDemo.client), { thingName: "browser-lamp" });
      const updated = await shadow.update({ reported: { on: true } });
      const { state } = await shadow.get();
      await shadow.close();
      return { version: updated.version, reported: state.reported };
    })()`);
    assert.deepEqual(shadow, { version: 1, reported: { on: true } });

    const rows = await page.$$eval("#messages tr", (trs) => trs.map((tr) => tr.textContent));
    assert.equal(rows.length, 6);
    assert.equal(await page.$eval("#count", (count) => count.textContent), "6");
    assert.match(await page.$eval("#log", (log) => log.textContent ?? ""), /connection lost/);

    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    const png = await Deno.readFile(screenshot);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"

    await page.click("#disconnect");
    await page.waitForSelector('#status[data-state="stopped"]');
    // Uncaught errors in the page: the two the handler threw on purpose, nothing else.
    assert.deepEqual(pageErrors, ["A handler failed on purpose", "A handler failed on purpose"]);
    passed = true;
  } finally {
    await browser?.close();
    await server.shutdown();
    if (passed) await Deno.remove(dir, { recursive: true });
    else console.error(`The page's last screenshot, if any: ${screenshot}`);
  }
});

interface PageState {
  status: string;
  connections: number;
  messages: { topic: string; qos: number; payload: string }[];
  errors: string[];
}

// The page's own code runs in Chromium: it is given as strings (this file has no DOM types).
async function fill(page: Page, fields: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(fields)) {
    await page.evaluate(
      `document.getElementById(${JSON.stringify(id)}).value = ${JSON.stringify(value)}`,
    );
  }
}

async function publish(page: Page, topic: string, payload: string, qos: string): Promise<void> {
  await fill(page, { topic, payload, "publish-qos": qos });
  const logged = await page.$$eval("#log li", (items) => items.length);
  await page.click("#publish button");
  // The page logs the publish once the broker acknowledged it (or it was sent, at QoS 0).
  await page.waitForFunction(`document.querySelectorAll("#log li").length > ${logged}`);
}

async function waitForMessages(page: Page, count: number): Promise<void> {
  await page.waitForFunction(`ternDemo.state.messages.length >= ${count}`);
}
