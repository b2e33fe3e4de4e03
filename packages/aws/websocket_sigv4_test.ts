import assert from "node:assert/strict";
import { iotCoreLimits } from "./iot_core_limits.ts";
import { presignIotWebSocketUrl } from "./iot_websocket_url.ts";
import { websocketSigV4Options } from "./websocket_sigv4.ts";
import { issuer, startContainerEndpoint } from "./testdata/credential_servers.ts";

const endpoint = "abc123-ats.iot.eu-central-1.amazonaws.com";

Deno.test("websocketSigV4Options() describes wss://<endpoint>/mqtt with the mqtt subprotocol", () => {
  const { connectOptionsProvider, ...rest } = websocketSigV4Options({
    endpoint,
    clientId: "device-1",
    credentials: () => Promise.reject(new Error("not called yet")),
  });
  assert.equal(typeof connectOptionsProvider, "function");
  assert.deepEqual(rest, {
    url: `wss://${endpoint}/mqtt`,
    clientId: "device-1",
    limits: iotCoreLimits,
    websocketProtocols: ["mqtt"],
  });
});

Deno.test("websocketSigV4Options() re-signs with fresh credentials and time on every attempt", async () => {
  const issued = [
    { accessKeyId: "AKID1", secretAccessKey: "s1", sessionToken: "t1" },
    { accessKeyId: "AKID2", secretAccessKey: "s2", sessionToken: "t2" },
  ];
  const times = [new Date("2026-11-26T06:00:00Z"), new Date("2026-11-26T06:05:00Z")];
  let calls = 0;
  let ticks = 0;
  const options = websocketSigV4Options({
    endpoint,
    clientId: "device-1",
    credentials: () => Promise.resolve(issued[calls++]),
    now: () => times[ticks++],
  });
  const first = await options.connectOptionsProvider!({});
  const second = await options.connectOptionsProvider!({});
  assert.deepEqual(first, {
    url: await presignIotWebSocketUrl({ endpoint, credentials: issued[0], date: times[0] }),
  });
  assert.deepEqual(second, {
    url: await presignIotWebSocketUrl({ endpoint, credentials: issued[1], date: times[1] }),
  });
  assert.notEqual(first.url, second.url);
  assert.ok(second.url!.endsWith("&X-Amz-Security-Token=t2"));
  assert.match(second.url!, /X-Amz-Credential=AKID2%2F20261126%2Feu-central-1%2Fiotdevicegateway/);
});

Deno.test("websocketSigV4Options() reads credentials from the environment by default", async () => {
  const names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];
  const saved = names.map((name) => Deno.env.get(name));
  try {
    Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDFROMENV");
    Deno.env.set("AWS_SECRET_ACCESS_KEY", "secret");
    Deno.env.delete("AWS_SESSION_TOKEN");
    const options = websocketSigV4Options({ endpoint, clientId: "d" });
    const { url } = await options.connectOptionsProvider!({});
    assert.match(url!, /X-Amz-Credential=AKIDFROMENV%2F/);
  } finally {
    names.forEach((name, i) => {
      if (saved[i] === undefined) Deno.env.delete(name);
      else Deno.env.set(name, saved[i]);
    });
  }
});

Deno.test("websocketSigV4Options() by default resolves the credential chain per attempt, cached until near expiry", async () => {
  await using ecs = startContainerEndpoint({ path: "/creds", issue: issuer() });
  const vars: Record<string, string | undefined> = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_PROFILE: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
    AWS_CONFIG_FILE: "/nonexistent/config",
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.url}/creds`,
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const saved = Object.keys(vars).map((name) => [name, Deno.env.get(name)] as const);
  try {
    for (const [name, value] of Object.entries(vars)) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
    const options = websocketSigV4Options({ endpoint, clientId: "d" });
    const first = await options.connectOptionsProvider!({});
    const second = await options.connectOptionsProvider!({});
    assert.match(first.url!, /X-Amz-Credential=ASIA1%2F/);
    assert.ok(first.url!.endsWith("&X-Amz-Security-Token=token1"));
    assert.match(second.url!, /X-Amz-Credential=ASIA1%2F/);
    assert.equal(ecs.requests.length, 1);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
});

Deno.test("websocketSigV4Options() stops when the attempt is aborted while fetching credentials", async () => {
  const controller = new AbortController();
  const options = websocketSigV4Options({
    endpoint,
    clientId: "d",
    credentials: () => {
      controller.abort(new Error("attempt cancelled"));
      return Promise.resolve({ accessKeyId: "A", secretAccessKey: "s" });
    },
  });
  await assert.rejects(
    options.connectOptionsProvider!({ signal: controller.signal }),
    new Error("attempt cancelled"),
  );
});

Deno.test("websocketSigV4Options() needs a region when the endpoint does not name one", () => {
  assert.throws(
    () => websocketSigV4Options({ endpoint: "iot.example.com", clientId: "d" }),
    new TypeError(
      'Cannot build SigV4 WebSocket options: region is required, as endpoint "iot.example.com" does not name one',
    ),
  );
  const options = websocketSigV4Options({
    endpoint: "iot.example.com",
    region: "us-west-2",
    clientId: "d",
  });
  assert.equal(options.url, "wss://iot.example.com/mqtt");
});
