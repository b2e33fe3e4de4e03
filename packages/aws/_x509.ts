/**
 * X.509 certificates (RFC 5280) signed with RSA and SHA-256, and PKCS #10 certificate
 * signing requests (RFC 2986) with RSA or ECDSA keys, on WebCrypto and {@link ./_der.ts}.
 *
 * @module
 */
import {
  bitString,
  boolean,
  children,
  explicit,
  integer,
  nullValue,
  octetString,
  oid,
  oidText,
  readElement,
  sequence,
  set,
  time,
  utf8String,
} from "./_der.ts";

const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const CURVES: Record<string, { namedCurve: string; size: number }> = {
  "1.2.840.10045.3.1.7": { namedCurve: "P-256", size: 32 },
  "1.3.132.0.34": { namedCurve: "P-384", size: 48 },
};
const SIGNATURES: Record<string, string> = {
  "1.2.840.113549.1.1.11": "SHA-256",
  "1.2.840.113549.1.1.12": "SHA-384",
  "1.2.840.10045.4.3.2": "SHA-256",
  "1.2.840.10045.4.3.3": "SHA-384",
};
const COMMON_NAME = "2.5.4.3";

/** PEM armour around DER bytes, 64 characters a line. */
export function toPem(label: string, der: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...der));
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The DER bytes of the first PEM block labelled `label` in `text`. */
export function fromPem(text: string, label: string): Uint8Array {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(
    text,
  );
  if (!match) throw new TypeError(`Cannot read PEM: no "${label}" block`);
  let binary: string;
  try {
    binary = atob(match[1].replace(/\s+/g, ""));
  } catch {
    throw new TypeError(`Cannot read PEM: the "${label}" block is not base64`);
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A distinguished name with one common name. */
export function commonNameOnly(commonName: string): Uint8Array {
  return sequence(set(sequence(oid(COMMON_NAME), utf8String(commonName))));
}

/** The first common name in a DER Name, if any. */
export function commonNameOf(name: Uint8Array): string | undefined {
  for (const rdn of children(readElement(name).content)) {
    for (const attribute of children(rdn.content)) {
      const [type, value] = children(attribute.content);
      if (type?.tag === 0x06 && oidText(type.content) === COMMON_NAME && value) {
        return new TextDecoder().decode(value.content);
      }
    }
  }
  return undefined;
}

async function sha1(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-1", bytes as BufferSource));
}

/** The key identifier of RFC 5280 §4.2.1.2 (1): SHA-1 of the subjectPublicKey bits. */
export async function keyIdentifier(subjectPublicKeyInfo: Uint8Array): Promise<Uint8Array> {
  const [, key] = children(readElement(subjectPublicKeyInfo).content);
  return await sha1(key.content.subarray(1));
}

/** What {@linkcode signCertificate} needs. */
export interface CertificateFields {
  /** The issuer's distinguished name (DER). */
  issuer: Uint8Array;
  /** The issuer's RSA private key (RSASSA-PKCS1-v1_5, SHA-256). */
  issuerKey: CryptoKey;
  /** The issuer's key identifier; the subject's own for a self-signed certificate. */
  authorityKeyId: Uint8Array;
  /** The subject's distinguished name (DER). */
  subject: Uint8Array;
  /** The subject's public key (DER SubjectPublicKeyInfo). */
  subjectPublicKeyInfo: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** A CA certificate (may sign others) or a TLS client certificate. */
  ca: boolean;
}

/** A DER X.509 v3 certificate. */
export async function signCertificate(fields: CertificateFields): Promise<Uint8Array> {
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f;
  const algorithm = sequence(oid(SHA256_WITH_RSA), nullValue());
  const subjectKeyId = await keyIdentifier(fields.subjectPublicKeyInfo);
  const extension = (id: string, critical: boolean, value: Uint8Array) =>
    sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
  const extensions = fields.ca
    ? [
      extension("2.5.29.19", true, sequence(boolean(true))),
      extension("2.5.29.15", true, bitString(Uint8Array.of(0x06))), // keyCertSign, cRLSign
      extension("2.5.29.14", false, octetString(subjectKeyId)),
    ]
    : [
      extension("2.5.29.19", true, sequence()),
      extension("2.5.29.15", true, bitString(Uint8Array.of(0xa0))), // digitalSignature, keyEncipherment
      extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.2"))), // clientAuth
      extension("2.5.29.14", false, octetString(subjectKeyId)),
      extension("2.5.29.35", false, sequence(tagged(0x80, fields.authorityKeyId))),
    ];
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    algorithm,
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    fields.subjectPublicKeyInfo,
    explicit(3, sequence(...extensions)),
  );
  const signature = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    fields.issuerKey,
    tbs as BufferSource,
  );
  return sequence(tbs, algorithm, bitString(new Uint8Array(signature)));
}

function tagged(tag: number, content: Uint8Array): Uint8Array {
  const element = new Uint8Array(content.length + 2);
  element.set([tag, content.length]);
  element.set(content, 2);
  return element;
}

/** What a certificate signing request asks for. */
export interface SigningRequest {
  /** The requested subject (DER Name), as written in the request. */
  subject: Uint8Array;
  /** The public key to certify (DER SubjectPublicKeyInfo). */
  subjectPublicKeyInfo: Uint8Array;
}

/** An ECDSA signature, DER `SEQUENCE { r, s }`, as the fixed-size `r || s` WebCrypto wants. */
function ecdsaRaw(der: Uint8Array, size: number): Uint8Array {
  const raw = new Uint8Array(2 * size);
  children(readElement(der).content).forEach((part, i) => {
    const value = part.content.subarray(Math.max(0, part.content.length - size));
    raw.set(value, (i + 1) * size - value.length);
  });
  return raw;
}

/**
 * Reads a PEM certificate signing request and checks its signature with the key it
 * carries (proof that the requester holds the private key).
 *
 * @throws {TypeError} when the request is malformed, uses an unsupported key or signature
 * algorithm, or its signature does not verify
 */
export async function readSigningRequest(pem: string): Promise<SigningRequest> {
  const der = fromPem(pem, "CERTIFICATE REQUEST");
  const [info, signatureAlgorithm, signature] = children(readElement(der).content);
  if (!info || !signatureAlgorithm || signature?.tag !== 0x03) {
    throw new TypeError("Cannot read certificate signing request: not a PKCS #10 request");
  }
  const [, subject, subjectPublicKeyInfo] = children(info.content);
  if (subject?.tag !== 0x30 || subjectPublicKeyInfo?.tag !== 0x30) {
    throw new TypeError("Cannot read certificate signing request: not a PKCS #10 request");
  }
  const [keyAlgorithm] = children(subjectPublicKeyInfo.content);
  const [keyType, keyParameter] = children(keyAlgorithm.content);
  const signatureOid = oidText(children(signatureAlgorithm.content)[0].content);
  const hash = SIGNATURES[signatureOid];
  if (!hash) {
    throw new TypeError(
      `Cannot read certificate signing request: signature algorithm ${signatureOid} is not supported`,
    );
  }
  const signed = signature.content.subarray(1);
  let valid: boolean;
  const type = oidText(keyType.content);
  if (type === RSA_ENCRYPTION) {
    const key = await crypto.subtle.importKey(
      "spki",
      subjectPublicKeyInfo.raw as BufferSource,
      { name: "RSASSA-PKCS1-v1_5", hash },
      false,
      ["verify"],
    );
    valid = await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      key,
      signed as BufferSource,
      info.raw as BufferSource,
    );
  } else if (type === EC_PUBLIC_KEY && keyParameter && CURVES[oidText(keyParameter.content)]) {
    const curve = CURVES[oidText(keyParameter.content)];
    const key = await crypto.subtle.importKey(
      "spki",
      subjectPublicKeyInfo.raw as BufferSource,
      { name: "ECDSA", namedCurve: curve.namedCurve },
      false,
      ["verify"],
    );
    valid = await crypto.subtle.verify(
      { name: "ECDSA", hash },
      key,
      ecdsaRaw(signed, curve.size) as BufferSource,
      info.raw as BufferSource,
    );
  } else {
    throw new TypeError(
      "Cannot read certificate signing request: only RSA and ECDSA P-256/P-384 keys are supported",
    );
  }
  if (!valid) {
    throw new TypeError("Cannot read certificate signing request: its signature does not verify");
  }
  return { subject: subject.raw, subjectPublicKeyInfo: subjectPublicKeyInfo.raw };
}

/** The RSAPrivateKey (PKCS #1) inside a PKCS #8 PrivateKeyInfo. */
export function pkcs1FromPkcs8(pkcs8: Uint8Array): Uint8Array {
  const [, , privateKey] = children(readElement(pkcs8).content);
  return privateKey.content;
}
