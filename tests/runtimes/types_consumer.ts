// Type-checked by tests/runtimes_test.ts with tsc against the npm tarballs' .d.ts files,
// from a scratch project where the @tern/* packages are installed; never run.
import { connect, type MqttClient } from "@tern/agent";
import { SqliteStore } from "@tern/agent/sqlite-store";
import { mtlsOptionsFromFiles, toMqttClientOptions } from "@tern/aws";
import { Decoder, encode } from "@tern/codec";
import { fromUrl, type Transport } from "@tern/transport";
import { nodeTls } from "@tern/transport/node";
import { cloudflare } from "@tern/transport/cloudflare";
import { ShadowClient } from "@tern/shadow";
import { TopicTrie } from "@tern/subscriptions";
const client: MqttClient = await connect("mqtt://127.0.0.1:1883", { clientId: "x" });
const t: Transport = fromUrl("mqtt://x");
const n: number = (await client.publish("a", "b", { qos: 1 })).reasonCode;
console.log(
  SqliteStore,
  mtlsOptionsFromFiles,
  toMqttClientOptions,
  encode,
  Decoder,
  t,
  nodeTls,
  cloudflare,
  ShadowClient,
  TopicTrie,
  n,
);
