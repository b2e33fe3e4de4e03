/**
 * Sizes of the browser bundle beside MQTT.js's browser build (`dist/mqtt.min.js` of the npm
 * `mqtt` package), measured the same way: bytes of the minified file, and bytes after gzip
 * (the web's CompressionStream, default level). Prints the table in bench/RESULTS.md.
 *
 * Run: deno run -A bench/bundle_size.ts
 *
 * @module
 */
import { bundle } from "../tools/bundle.ts";
import { buildBrowser, gzipSize } from "../tools/build_browser.ts";

const MQTT_VERSION = "5.16.0";

async function mqttMinJs(): Promise<Uint8Array<ArrayBuffer>> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  const { npmCache } = JSON.parse(new TextDecoder().decode(info.stdout));
  const path = `${npmCache}/registry.npmjs.org/mqtt/${MQTT_VERSION}/dist/mqtt.min.js`;
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw new Error(`Cannot read ${path}: run \`deno cache npm:mqtt@${MQTT_VERSION}\` first`, {
      cause: error,
    });
  }
}

const dir = await Deno.makeTempDir({ prefix: "tern-bundle-size-" });
try {
  const rows: [string, Uint8Array<ArrayBuffer>][] = [];
  const full = await buildBrowser(new URL(`file://${dir}/tern.js`));
  rows.push([
    "Tern `dist/browser/tern.js` (client, WebSocket, subscriptions, shadow client)",
    await Deno.readFile(full.outfile),
  ]);
  // What MQTT.js's build holds: a client over WebSocket, no shadows.
  await Deno.writeTextFile(
    `${dir}/client.ts`,
    `export { connect, MqttClient } from "@tern/agent";
export { websocket } from "@tern/transport/websocket";
`,
  );
  const client = await bundle({
    entry: `${dir}/client.ts`,
    outfile: `${dir}/client.js`,
    runtime: "browser",
    minify: true,
  });
  rows.push(["Tern, `MqttClient` + `websocket()` only", await Deno.readFile(client.outfile)]);
  rows.push([`MQTT.js ${MQTT_VERSION} \`dist/mqtt.min.js\``, await mqttMinJs()]);
  console.log("| bundle | minified | gzipped |\n| --- | ---: | ---: |");
  for (const [name, bytes] of rows) {
    const kib = (n: number) => `${n.toLocaleString("en")} B (${(n / 1024).toFixed(1)} KiB)`;
    console.log(`| ${name} | ${kib(bytes.length)} | ${kib(await gzipSize(bytes))} |`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
