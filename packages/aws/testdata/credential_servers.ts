/**
 * Local stand-ins for the credential endpoints (STS, the container endpoint, the EC2
 * instance metadata service) on 127.0.0.1, answering with the real services' request
 * checks and response shapes (see the package README for the sources). Each records what it
 * was asked, so tests can check the requests a provider sends.
 */

import { presignUrl } from "../presign_url.ts";

/** What a stand-in saw of one request. */
export interface SeenRequest {
  method: string;
  /** The whole URL, query included. */
  url: URL;
  path: string;
  headers: Headers;
  body: string;
}

/** A running stand-in. */
export interface CredentialServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request, in arrival order. */
  requests: SeenRequest[];
}

/** The credentials a stand-in hands out. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

function serve(
  handler: (request: SeenRequest) => Response | Promise<Response>,
): CredentialServer {
  const requests: SeenRequest[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const seen = {
      method: request.method,
      url: new URL(request.url),
      path: new URL(request.url).pathname,
      headers: request.headers,
      body: await request.text(),
    };
    requests.push(seen);
    return await handler(seen);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

function stsError(status: number, code: string, message: string): Response {
  return new Response(
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>`,
    { status, headers: { "content-type": "text/xml" } },
  );
}

const AUTH_PARAMETERS = [
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
];

/** `AssumeRole` as a presigned GET: the signature is recomputed with the caller's secret. */
async function assumeRole(
  url: URL,
  secrets: Record<string, string>,
  issue: () => IssuedCredentials,
): Promise<Response> {
  const query = url.searchParams;
  if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") {
    return stsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  const [accessKeyId, day, region, service] = (query.get("X-Amz-Credential") ?? "").split("/");
  const secretAccessKey = secrets[accessKeyId];
  if (!secretAccessKey || service !== "sts") {
    return stsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
  }
  const unsigned = new URL(url);
  for (const name of AUTH_PARAMETERS) unsigned.searchParams.delete(name);
  const stamp = query.get("X-Amz-Date")!;
  const date = new Date(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
  );
  const sessionToken = query.get("X-Amz-Security-Token") ?? undefined;
  const expected = new URL(
    await presignUrl({
      url: unsigned,
      region,
      service,
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) },
      date,
      expiresIn: Number(query.get("X-Amz-Expires")),
    }),
  ).searchParams.get("X-Amz-Signature");
  if (!day || expected !== query.get("X-Amz-Signature")) {
    return stsError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
  }
  const issued = issue();
  return new Response(
    `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>${query.get("RoleArn")}/${query.get("RoleSessionName")}</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:${query.get("RoleSessionName")}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>
      <SessionToken>${issued.sessionToken}</SessionToken>
      <Expiration>${issued.expiration.toISOString()}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>`,
    { headers: { "content-type": "text/xml" } },
  );
}

/**
 * STS over the query API. `AssumeRoleWithWebIdentity`: a form-encoded POST with Action,
 * Version, RoleArn, RoleSessionName and WebIdentityToken, answered with the XML document; a
 * token other than `acceptToken` gets the 400 `InvalidIdentityToken` error document.
 * `AssumeRole`: a SigV4-presigned GET (service `sts`) by one of `secrets` (access key id →
 * secret) or by credentials it issued, checked by recomputing the signature.
 */
export function startSts(options: {
  acceptToken?: string;
  secrets?: Record<string, string>;
  issue: () => IssuedCredentials;
}): CredentialServer {
  const secrets = { ...options.secrets };
  const issue = () => {
    const issued = options.issue();
    secrets[issued.accessKeyId] = issued.secretAccessKey;
    return issued;
  };
  return serve((request) => {
    if (request.method === "GET" && request.url.searchParams.get("Action") === "AssumeRole") {
      return assumeRole(request.url, secrets, issue);
    }
    if (request.method !== "POST") return stsError(405, "InvalidAction", "POST only");
    const form = new URLSearchParams(request.body);
    if (form.get("Action") !== "AssumeRoleWithWebIdentity" || form.get("Version") !== "2011-06-15") {
      return stsError(400, "InvalidAction", "Could not find operation");
    }
    for (const name of ["RoleArn", "RoleSessionName", "WebIdentityToken"]) {
      if (!form.get(name)) {
        return stsError(400, "MissingParameter", `The request must contain the parameter ${name}`);
      }
    }
    if (form.get("WebIdentityToken") !== options.acceptToken) {
      return stsError(400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider");
    }
    const issued = issue();
    const roleArn = form.get("RoleArn")!;
    return new Response(
      `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:default:device</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>${roleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/${form.get("RoleSessionName")}</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:${form.get("RoleSessionName")}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${issued.sessionToken}</SessionToken>
      <SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>
      <Expiration>${issued.expiration.toISOString()}</Expiration>
      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>
    </Credentials>
    <Provider>oidc.eks.us-east-1.amazonaws.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`,
      { headers: { "content-type": "text/xml" } },
    );
  });
}

/**
 * The container credentials endpoint (ECS task role, EKS Pod Identity agent): a GET on
 * `path` answered with `{RoleArn, AccessKeyId, SecretAccessKey, Token, Expiration}`. When
 * `authorization` is set, a request without that exact `Authorization` header gets a 401 with
 * a `{code, message}` body.
 */
export function startContainerEndpoint(options: {
  path: string;
  authorization?: string;
  issue: () => IssuedCredentials;
}): CredentialServer {
  return serve((request) => {
    if (request.method !== "GET" || request.path !== options.path) {
      return Response.json({ code: "NotFound", message: "no such path" }, { status: 404 });
    }
    if (options.authorization && request.headers.get("authorization") !== options.authorization) {
      return Response.json(
        { code: "AccessDeniedException", message: "Authorization token is invalid" },
        { status: 401 },
      );
    }
    const issued = options.issue();
    return Response.json({
      RoleArn: "arn:aws:iam::123456789012:role/device",
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      Token: issued.sessionToken,
      Expiration: issued.expiration.toISOString(),
    });
  });
}

/**
 * The EC2 instance metadata service with IMDSv2 required: `PUT /latest/api/token` needs
 * `X-aws-ec2-metadata-token-ttl-seconds` (1–21600, else 400); every GET needs the token in
 * `X-aws-ec2-metadata-token` (else 401). `role` undefined means no instance profile (404).
 */
export function startInstanceMetadata(options: {
  role?: string;
  issue: () => IssuedCredentials;
}): CredentialServer {
  const token = `AQAEAEXAMPLE-${crypto.randomUUID()}`;
  const base = "/latest/meta-data/iam/security-credentials/";
  return serve((request) => {
    if (request.method === "PUT" && request.path === "/latest/api/token") {
      const ttl = Number(request.headers.get("x-aws-ec2-metadata-token-ttl-seconds"));
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) {
        return new Response("", { status: 400 });
      }
      return new Response(token, {
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": String(ttl) },
      });
    }
    if (request.method !== "GET") return new Response("", { status: 405 });
    if (request.headers.get("x-aws-ec2-metadata-token") !== token) {
      return new Response("", { status: 401 });
    }
    if (request.path === base && options.role) return new Response(options.role);
    if (request.path === `${base}${options.role}` && options.role) {
      const issued = options.issue();
      return Response.json({
        Code: "Success",
        LastUpdated: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        Type: "AWS-HMAC",
        AccessKeyId: issued.accessKeyId,
        SecretAccessKey: issued.secretAccessKey,
        Token: issued.sessionToken,
        Expiration: issued.expiration.toISOString().replace(/\.\d+Z$/, "Z"),
      });
    }
    return new Response("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<title>404 - Not Found</title>", {
      status: 404,
      headers: { "content-type": "text/html" },
    });
  });
}

/** Numbered credentials valid for an hour from `now`: ASIA1, ASIA2, … */
export function issuer(now = () => new Date()): () => IssuedCredentials {
  let serial = 0;
  return () => {
    serial++;
    return {
      accessKeyId: `ASIA${serial}`,
      secretAccessKey: `secret${serial}`,
      sessionToken: `token${serial}`,
      expiration: new Date(now().getTime() + 3_600_000),
    };
  };
}
