import assert from "node:assert/strict";
import { LocalCertificateAuthority } from "./certificate_authority.ts";
import { openssl } from "../../tests/support/certs.ts";

Deno.test("LocalCertificateAuthority signs certificates that openssl verifies, for RSA and EC CSRs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ca = await LocalCertificateAuthority.create({ commonName: "Test provisioning CA" });
    await Deno.writeTextFile(`${dir}/ca.crt`, ca.certificatePem);
    assert.match(await openssl(["x509", "-in", "ca.crt", "-noout", "-text"], dir), /CA:TRUE/);
    for (const key of [["rsa:2048"], ["ec", "-pkeyopt", "ec_paramgen_curve:secp384r1"]]) {
      await openssl(
        [
          "req",
          "-new",
          "-newkey",
          ...key,
          "-nodes",
          "-subj",
          "/CN=dev",
          "-keyout",
          "k.pem",
          "-out",
          "r.csr",
        ],
        dir,
      );
      const issued = await ca.issueFromCsr(await Deno.readTextFile(`${dir}/r.csr`));
      await Deno.writeTextFile(`${dir}/d.crt`, issued.certificatePem);
      assert.equal(
        (await openssl(["verify", "-CAfile", "ca.crt", "-purpose", "sslclient", "d.crt"], dir))
          .trim(),
        "d.crt: OK",
      );
      const fingerprint = await openssl([
        "x509",
        "-in",
        "d.crt",
        "-noout",
        "-fingerprint",
        "-sha256",
      ], dir);
      assert.equal(
        fingerprint.split("=")[1].trim().replaceAll(":", "").toLowerCase(),
        issued.certificateId,
      );
      // The certificate is for the request's key.
      const fromCert = await openssl(["x509", "-in", "d.crt", "-noout", "-pubkey"], dir);
      const fromKey = await openssl(["pkey", "-in", "k.pem", "-pubout"], dir);
      assert.equal(fromCert, fromKey);
    }
    const created = await ca.createKeysAndCertificate();
    await Deno.writeTextFile(`${dir}/c.crt`, created.certificatePem);
    await Deno.writeTextFile(`${dir}/c.key`, created.privateKey);
    assert.equal(
      (await openssl(["verify", "-CAfile", "ca.crt", "c.crt"], dir)).trim(),
      "c.crt: OK",
    );
    assert.equal(
      await openssl(["x509", "-in", "c.crt", "-noout", "-pubkey"], dir),
      await openssl(["pkey", "-in", "c.key", "-pubout"], dir),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LocalCertificateAuthority refuses a CSR whose signature does not verify", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ca = await LocalCertificateAuthority.create();
    await openssl(
      [
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=original",
        "-keyout",
        "k.pem",
        "-outform",
        "DER",
        "-out",
        "r.der",
      ],
      dir,
    );
    const der = await Deno.readFile(`${dir}/r.der`);
    const at = der.indexOf("original".charCodeAt(0));
    der[at] = "X".charCodeAt(0); // the subject changes, the signature does not
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${
      btoa(String.fromCharCode(...der))
    }\n-----END CERTIFICATE REQUEST-----\n`;
    await assert.rejects(
      ca.issueFromCsr(pem),
      new TypeError("Cannot read certificate signing request: its signature does not verify"),
    );
    await assert.rejects(ca.issueFromCsr("junk"), /no "CERTIFICATE REQUEST" block/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
