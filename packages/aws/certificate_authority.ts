/**
 * A certificate authority held in memory, for the local fleet provisioning service: it
 * signs device certificates that a test broker (mosquitto's `cafile`) then accepts.
 *
 * @module
 */
import {
  commonNameOnly,
  keyIdentifier,
  pkcs1FromPkcs8,
  readSigningRequest,
  signCertificate,
  toPem,
} from "./_x509.ts";

/** Options for {@linkcode LocalCertificateAuthority.create}. */
export interface LocalCertificateAuthorityOptions {
  /** The CA's common name; default `Tern local IoT CA`. */
  commonName?: string;
  /** The clock; default `() => new Date()`. */
  now?: () => Date;
}

/** A certificate the authority issued. */
export interface IssuedCertificate {
  /** Lowercase hex SHA-256 of the DER certificate, as AWS IoT forms certificate ids. */
  certificateId: string;
  /** The certificate, PEM. */
  certificatePem: string;
}

/** RSA 2048 with SHA-256: what AWS IoT's CreateKeysAndCertificate issues. */
const RSA_KEY: RsaHashedKeyGenParams = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: Uint8Array.of(1, 0, 1),
  hash: "SHA-256",
};

/** AWS IoT certificates are valid until the end of 2049. */
const NOT_AFTER = new Date(Date.UTC(2049, 11, 31, 23, 59, 59));

async function hexSha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * An RSA certificate authority in memory. Device certificates it signs are TLS client
 * certificates valid until 2049-12-31, like those of AWS IoT.
 *
 * @example Issue a key and certificate, as CreateKeysAndCertificate does
 * ```ts
 * import { LocalCertificateAuthority } from "@tern/aws";
 *
 * const ca = await LocalCertificateAuthority.create();
 * const issued = await ca.createKeysAndCertificate();
 * console.log(issued.certificateId.length); // 64
 * console.log(issued.privateKey.startsWith("-----BEGIN RSA PRIVATE KEY-----")); // true
 * ```
 */
export class LocalCertificateAuthority {
  /** The CA certificate, PEM: give it to the broker to trust the devices. */
  readonly certificatePem: string;
  readonly #key: CryptoKey;
  readonly #name: Uint8Array;
  readonly #keyId: Uint8Array;
  readonly #now: () => Date;

  private constructor(
    fields: { pem: string; key: CryptoKey; name: Uint8Array; keyId: Uint8Array },
    now: () => Date,
  ) {
    this.certificatePem = fields.pem;
    this.#key = fields.key;
    this.#name = fields.name;
    this.#keyId = fields.keyId;
    this.#now = now;
  }

  /** Generates the CA's key and self-signed certificate. */
  static async create(
    options: LocalCertificateAuthorityOptions = {},
  ): Promise<LocalCertificateAuthority> {
    const now = options.now ?? (() => new Date());
    const keys = await crypto.subtle.generateKey(RSA_KEY, true, ["sign", "verify"]);
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
    const name = commonNameOnly(options.commonName ?? "Tern local IoT CA");
    const keyId = await keyIdentifier(spki);
    const der = await signCertificate({
      issuer: name,
      issuerKey: keys.privateKey,
      authorityKeyId: keyId,
      subject: name,
      subjectPublicKeyInfo: spki,
      notBefore: new Date(now().getTime() - 60_000),
      notAfter: NOT_AFTER,
      ca: true,
    });
    return new LocalCertificateAuthority(
      { pem: toPem("CERTIFICATE", der), key: keys.privateKey, name, keyId },
      now,
    );
  }

  /**
   * Signs a certificate for the key in a PEM certificate signing request, with the
   * request's subject, after checking the request's signature.
   *
   * @throws {TypeError} when the request is malformed or its signature does not verify
   */
  async issueFromCsr(csrPem: string): Promise<IssuedCertificate> {
    const request = await readSigningRequest(csrPem);
    return await this.#issue(request.subject, request.subjectPublicKeyInfo);
  }

  /**
   * Generates an RSA 2048 key and signs a certificate for it (subject
   * `CN=AWS IoT Certificate`, as AWS IoT writes it). The key is PKCS #1 PEM
   * (`RSA PRIVATE KEY`), as AWS IoT returns it.
   */
  async createKeysAndCertificate(): Promise<IssuedCertificate & { privateKey: string }> {
    const keys = await crypto.subtle.generateKey(RSA_KEY, true, ["sign", "verify"]);
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
    const issued = await this.#issue(commonNameOnly("AWS IoT Certificate"), spki);
    return { ...issued, privateKey: toPem("RSA PRIVATE KEY", pkcs1FromPkcs8(pkcs8)) };
  }

  async #issue(subject: Uint8Array, spki: Uint8Array): Promise<IssuedCertificate> {
    const der = await signCertificate({
      issuer: this.#name,
      issuerKey: this.#key,
      authorityKeyId: this.#keyId,
      subject,
      subjectPublicKeyInfo: spki,
      notBefore: new Date(this.#now().getTime() - 60_000),
      notAfter: NOT_AFTER,
      ca: false,
    });
    return { certificateId: await hexSha256(der), certificatePem: toPem("CERTIFICATE", der) };
  }
}
