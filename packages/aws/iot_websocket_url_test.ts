import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { presignIotWebSocketUrl, regionOfEndpoint } from "./iot_websocket_url.ts";
import { presignSteps } from "./_sigv4.ts";

// An independent SigV4 computation with node:crypto, from texts written out by hand below.
function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
function referenceSignature(secret: string, scope: string[], stringToSign: string): string {
  let key: Uint8Array = new TextEncoder().encode("AWS4" + secret);
  for (const part of scope) key = createHmac("sha256", key).update(part, "utf8").digest();
  return createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
}

const endpoint = "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com";
const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "FQoGZXIvYXdz+token/with=chars",
};
const date = new Date("2026-11-26T05:30:00Z");

// Derived by hand from aws_iot.md §4.5: sorted parameters, "/" in the credential as %2F,
// no X-Amz-Expires and no X-Amz-Security-Token.
const canonicalQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" +
  "&X-Amz-Credential=AKIDEXAMPLE%2F20261126%2Feu-west-1%2Fiotdevicegateway%2Faws4_request" +
  "&X-Amz-Date=20261126T053000Z" +
  "&X-Amz-SignedHeaders=host";
const canonicalRequest = `GET
/mqtt
${canonicalQuery}
host:a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com

host
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`;
const stringToSignPrefix = `AWS4-HMAC-SHA256
20261126T053000Z
20261126/eu-west-1/iotdevicegateway/aws4_request
`;

Deno.test("the IoT WebSocket URL signs the hand-derived canonical request and string to sign", async () => {
  const steps = await presignSteps({
    url: new URL(`wss://${endpoint}/mqtt`),
    method: "GET",
    region: "eu-west-1",
    service: "iotdevicegateway",
    credentials,
    date,
    signSessionToken: false,
  });
  assert.equal(steps.canonicalRequest, canonicalRequest);
  const stringToSign = stringToSignPrefix + sha256(canonicalRequest);
  assert.equal(steps.stringToSign, stringToSign);
  const signature = referenceSignature(
    credentials.secretAccessKey,
    ["20261126", "eu-west-1", "iotdevicegateway", "aws4_request"],
    stringToSign,
  );
  assert.equal(steps.signature, signature);
});

Deno.test("presignIotWebSocketUrl() appends the session token, encoded, after the signature", async () => {
  const url = await presignIotWebSocketUrl({ endpoint, credentials, date });
  const signature = referenceSignature(
    credentials.secretAccessKey,
    ["20261126", "eu-west-1", "iotdevicegateway", "aws4_request"],
    stringToSignPrefix + sha256(canonicalRequest),
  );
  assert.equal(
    url,
    `wss://${endpoint}/mqtt?${canonicalQuery}&X-Amz-Signature=${signature}` +
      "&X-Amz-Security-Token=FQoGZXIvYXdz%2Btoken%2Fwith%3Dchars",
  );
});

Deno.test("presignIotWebSocketUrl() without a session token ends with the signature", async () => {
  const url = await presignIotWebSocketUrl({
    endpoint,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    },
    date,
  });
  assert.match(url, /&X-Amz-Signature=[0-9a-f]{64}$/);
  assert.ok(!url.includes("X-Amz-Security-Token"));
});

Deno.test("presignIotWebSocketUrl() signs a port other than 443 into the host", async () => {
  const url = await presignIotWebSocketUrl({
    endpoint: "Localhost",
    region: "us-east-1",
    port: 8443,
    credentials,
    date,
  });
  const query = canonicalQuery.replace("eu-west-1", "us-east-1");
  const request = `GET\n/mqtt\n${query}\nhost:localhost:8443\n\nhost\n` +
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const signature = referenceSignature(
    credentials.secretAccessKey,
    ["20261126", "us-east-1", "iotdevicegateway", "aws4_request"],
    stringToSignPrefix.replace("eu-west-1", "us-east-1") + sha256(request),
  );
  assert.ok(url.startsWith(`wss://localhost:8443/mqtt?${query}&X-Amz-Signature=${signature}&`));
});

Deno.test("regionOfEndpoint() reads the region of ATS and China endpoints", () => {
  assert.equal(regionOfEndpoint(endpoint), "eu-west-1");
  assert.equal(regionOfEndpoint("abc-ats.iot.cn-north-1.amazonaws.com.cn"), "cn-north-1");
  assert.equal(regionOfEndpoint("iot.example.com"), undefined);
});

Deno.test("presignIotWebSocketUrl() refuses a URL for an endpoint, or a missing region", async () => {
  await assert.rejects(
    presignIotWebSocketUrl({ endpoint: "iot.example.com", credentials, date }),
    new TypeError(
      'Cannot presign: region is required, as endpoint "iot.example.com" does not name one',
    ),
  );
  await assert.rejects(
    () => presignIotWebSocketUrl({ endpoint: `wss://${endpoint}/mqtt`, credentials, date }),
    TypeError,
  );
});
