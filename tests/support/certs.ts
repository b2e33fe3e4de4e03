/**
 * Test certificates made with openssl: a CA, a server certificate for localhost and
 * 127.0.0.1, a client certificate from the same CA, and a second, unrelated CA with a
 * client certificate of its own (to prove a broker rejects it).
 */

/** Paths (and PEM text) of the generated files. */
export interface TestCertificates {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCaCert: string;
  otherClientCert: string;
  otherClientKey: string;
  /** PEM text of each file above, by the same names. */
  pem: Record<
    | "caCert"
    | "serverCert"
    | "serverKey"
    | "clientCert"
    | "clientKey"
    | "otherCaCert"
    | "otherClientCert"
    | "otherClientKey",
    string
  >;
}

/** Runs `openssl` with `args` in `cwd` and returns what it printed; throws when it fails. */
export async function openssl(args: string[], cwd: string): Promise<string> {
  const output = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(
      `Cannot generate test certificates: openssl ${args[0]} failed: ${
        new TextDecoder().decode(output.stderr)
      }`,
    );
  }
  return new TextDecoder().decode(output.stdout);
}

async function makeCa(name: string, cwd: string): Promise<void> {
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
  ], cwd);
}

async function makeLeaf(
  options: { name: string; ca: string; subjectAltName?: string; extendedKeyUsage: string },
  cwd: string,
): Promise<void> {
  const { name, ca } = options;
  await openssl([
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
  ], cwd);
  const extensions = [
    `extendedKeyUsage=${options.extendedKeyUsage}`,
    "basicConstraints=CA:FALSE",
    ...(options.subjectAltName ? [`subjectAltName=${options.subjectAltName}`] : []),
  ].join("\n");
  await Deno.writeTextFile(`${cwd}/${name}.ext`, extensions + "\n");
  await openssl([
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.crt`,
  ], cwd);
}

/**
 * Generates a fresh set of certificates in a new temporary directory.
 * Remove `dir` when done (`Deno.remove(dir, { recursive: true })`).
 */
export async function generateCertificates(): Promise<TestCertificates> {
  const dir = await Deno.makeTempDir({ prefix: "tern-certs-" });
  await makeCa("ca", dir);
  await makeCa("other-ca", dir);
  await makeLeaf({
    name: "server",
    ca: "ca",
    subjectAltName: "DNS:localhost,IP:127.0.0.1,IP:::1",
    extendedKeyUsage: "serverAuth",
  }, dir);
  await makeLeaf({ name: "client", ca: "ca", extendedKeyUsage: "clientAuth" }, dir);
  await makeLeaf({ name: "other-client", ca: "other-ca", extendedKeyUsage: "clientAuth" }, dir);
  const files = {
    caCert: `${dir}/ca.crt`,
    serverCert: `${dir}/server.crt`,
    serverKey: `${dir}/server.key`,
    clientCert: `${dir}/client.crt`,
    clientKey: `${dir}/client.key`,
    otherCaCert: `${dir}/other-ca.crt`,
    otherClientCert: `${dir}/other-client.crt`,
    otherClientKey: `${dir}/other-client.key`,
  };
  const pem = Object.fromEntries(
    await Promise.all(
      Object.entries(files).map(async ([key, path]) => [key, await Deno.readTextFile(path)]),
    ),
  ) as TestCertificates["pem"];
  return { dir, ...files, pem };
}

/**
 * Issues one more server certificate from the CA of `certs`, valid only for
 * `subjectAltName` (e.g. "DNS:elsewhere.example", to prove a client checks the name), and
 * returns the paths of its certificate and key, in `certs.dir`.
 */
export async function issueServerCertificate(
  certs: TestCertificates,
  options: { name: string; subjectAltName: string },
): Promise<{ cert: string; key: string }> {
  await makeLeaf({ ...options, ca: "ca", extendedKeyUsage: "serverAuth" }, certs.dir);
  return { cert: `${certs.dir}/${options.name}.crt`, key: `${certs.dir}/${options.name}.key` };
}
