import assert from "node:assert/strict";
import { presignUrl } from "./presign_url.ts";
import { amzDate, hex, presignSteps, signingKey, uriEncode } from "./_sigv4.ts";

const VECTORS = new URL("./testdata/sigv4/", import.meta.url);

interface Vector {
  name: string;
  context: {
    credentials: { access_key_id: string; secret_access_key: string; token?: string };
    expiration_in_seconds: number;
    region: string;
    service: string;
    timestamp: string;
  };
  url: URL;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedRequestLine: string;
}

async function loadVector(name: string): Promise<Vector> {
  const read = (file: string) => Deno.readTextFile(new URL(`${name}/${file}`, VECTORS));
  const request = await read("request.txt");
  const [requestLine, hostLine] = request.split("\n");
  const target = requestLine.split(" ")[1];
  const host = hostLine.slice("Host:".length).trim();
  return {
    name,
    context: JSON.parse(await read("context.json")),
    url: new URL(`https://${host}${target}`),
    canonicalRequest: await read("query-canonical-request.txt"),
    stringToSign: await read("query-string-to-sign.txt"),
    signature: (await read("query-signature.txt")).trim(),
    signedRequestLine: (await read("query-signed-request.txt")).split("\n")[0],
  };
}

function queryOf(target: string): [string, string][] {
  return target.split("?")[1].split("&").map((pair) => pair.split("=") as [string, string]);
}

const vectorNames = [
  "get-vanilla",
  "get-vanilla-query-order-key-case",
  "get-vanilla-with-session-token",
];

for (const name of vectorNames) {
  Deno.test(`presign steps reproduce the official "${name}" query-signing vector`, async () => {
    const vector = await loadVector(name);
    const { credentials } = vector.context;
    const steps = await presignSteps({
      url: vector.url,
      method: "GET",
      region: vector.context.region,
      service: vector.context.service,
      credentials: {
        accessKeyId: credentials.access_key_id,
        secretAccessKey: credentials.secret_access_key,
        sessionToken: credentials.token,
      },
      date: new Date(vector.context.timestamp),
      expiresIn: vector.context.expiration_in_seconds,
      signSessionToken: true,
    });
    assert.equal(steps.canonicalRequest, vector.canonicalRequest);
    assert.equal(steps.stringToSign, vector.stringToSign);
    assert.equal(steps.signature, vector.signature);
    // The vector keeps the caller's parameter order; ours is the sorted canonical order.
    // Both carry the same parameters, and the signature is the last one we add.
    const expected = queryOf(vector.signedRequestLine.split(" ")[1]);
    const actual = queryOf(steps.url);
    assert.deepEqual([...actual].sort(), [...expected].sort());
    assert.deepEqual(actual.at(-1), ["X-Amz-Signature", vector.signature]);
  });
}

Deno.test("presignUrl() returns the URL of the presign steps for the session-token vector", async () => {
  const vector = await loadVector("get-vanilla-with-session-token");
  const url = await presignUrl({
    url: "https://example.amazonaws.com/",
    region: "us-east-1",
    service: "service",
    credentials: {
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      sessionToken: vector.context.credentials.token,
    },
    date: new Date("2015-08-30T12:36:00Z"),
    expiresIn: 3600,
  });
  assert.equal(
    url,
    "https://example.amazonaws.com/?" + vector.canonicalRequest.split("\n")[2] +
      `&X-Amz-Signature=${vector.signature}`,
  );
});

Deno.test("signingKey() matches the derivation example of the AWS SigV4 documentation", async () => {
  const key = await signingKey({
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    dateStamp: "20120215",
    region: "us-east-1",
    service: "iam",
  });
  assert.equal(hex(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
});

Deno.test("uriEncode() keeps only unreserved characters and encodes UTF-8 bytes in uppercase hex", () => {
  assert.equal(uriEncode("AZaz09-_.~"), "AZaz09-_.~");
  assert.equal(uriEncode("a/b c+d=e!'()*"), "a%2Fb%20c%2Bd%3De%21%27%28%29%2A");
  assert.equal(uriEncode("ሴ"), "%E1%88%B4");
});

Deno.test("amzDate() formats the signing time in UTC without separators or milliseconds", () => {
  assert.equal(amzDate(new Date("2015-08-30T12:36:00.999Z")), "20150830T123600Z");
  assert.throws(() => amzDate(new Date("nope")), RangeError);
});

Deno.test("presignUrl() refuses incomplete input with a clear error", async () => {
  const base = {
    url: "https://example.amazonaws.com/",
    region: "us-east-1",
    service: "service",
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    date: new Date(0),
  };
  await assert.rejects(
    presignUrl({ ...base, url: "not a url" }),
    new TypeError('Cannot presign: invalid URL "not a url"'),
  );
  await assert.rejects(
    presignUrl({ ...base, region: "" }),
    new TypeError("Cannot presign: region must be a non-empty string"),
  );
  await assert.rejects(
    presignUrl({ ...base, credentials: { accessKeyId: "", secretAccessKey: "x" } }),
    new TypeError("Cannot presign: credentials need an accessKeyId and a secretAccessKey"),
  );
  await assert.rejects(
    presignUrl({ ...base, url: "https://example.amazonaws.com/?a=%zz" }),
    new TypeError('Cannot presign: malformed percent-encoding in "%zz"'),
  );
  await assert.rejects(
    presignUrl({ ...base, expiresIn: 0 }),
    new RangeError("Cannot presign: expiresIn must be an integer from 1 to 604800 seconds, got 0"),
  );
});
