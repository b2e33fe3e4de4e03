/**
 * Local stand-ins for the credential endpoints (STS, the container endpoint, the EC2
 * instance metadata service) on 127.0.0.1, answering with the real services' request
 * checks and response shapes (see the package README for the sources). Each records what it
 * was asked, so tests can check the requests a provider sends.
 */

/** What a stand-in saw of one request. */
export interface SeenRequest {
  method: string;
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

/**
 * STS `AssumeRoleWithWebIdentity` over the query API: a form-encoded POST with Action,
 * Version, RoleArn, RoleSessionName and WebIdentityToken, answered with the XML document.
 * A token other than `acceptToken` gets the 400 `InvalidIdentityToken` error document.
 */
export function startSts(options: {
  acceptToken: string;
  issue: () => IssuedCredentials;
}): CredentialServer {
  return serve((request) => {
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
    const issued = options.issue();
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
